"""With a Stripe key, the hosted form starts a Checkout Session (against a local recorder)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Pledge, PledgeCredit
from sharetrack.services import services
from tests.conftest import SAME_ORIGIN
from tests.pledges import stripe_support as st
from tests.pledges.stripe_recorder import stripe_api  # noqa: F401  (fixture)
from tests.pledges.test_page import arrive, open_page

KEY = "sk_test_recorded_0123456789"


@pytest.fixture
def app_config(app_config, stripe_api) -> dict:  # noqa: F811
    return {
        **app_config,
        "STRIPE_SECRET_KEY": KEY,
        "STRIPE_API_BASE": stripe_api.origin,
        "STRIPE_CHECKOUT_ORIGIN": stripe_api.origin,
        "STRIPE_WEBHOOK_SECRET": [st.SECRET],
    }


@pytest.fixture
def hosted(make_campaign):
    return make_campaign(pledge_page=True, slug="hosted-case", title="Stop the Snoopers")


def stored(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(sa.select(Pledge.external_id, Pledge.status)).all()


def post(client, campaign, amount: str, ref: str | None = None):
    open_page(client, campaign, ref)
    data = {"amount": amount} | ({"ref": ref} if ref else {})
    return client.post(f"/c/{campaign.slug}/pledge", data=data, headers=SAME_ORIGIN)


def test_the_form_sends_the_supporter_to_checkout_with_the_campaign_and_ref(
    app,
    client,
    hosted,
    make_share,
    stripe_api,  # noqa: F811
):
    share, token = make_share(hosted, channel="whatsapp")
    ref = arrive(client, token)
    response = post(client, hosted, "25.50", ref)
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{stripe_api.origin}/c/pay/cs_test_")
    [call] = stripe_api.calls
    assert (call.method, call.path) == ("POST", "/v1/checkout/sessions")
    assert call.headers["Authorization"] == f"Bearer {KEY}"
    # The browser's arrivals (the touch cookie) ride along for the multi-touch models.
    listed = call.form.pop("metadata[sharetrack_refs]")
    assert call.form.pop("payment_intent_data[metadata][sharetrack_refs]") == listed
    assert [touch["token"] for touch in json.loads(listed)] == [token]
    # A random nonce in the metadata; the return address carries it signed (test_checkout_thanks).
    nonce = call.form.pop("metadata[sharetrack_thanks]")
    assert call.form.pop("payment_intent_data[metadata][sharetrack_thanks]") == nonce
    returned = call.form.pop("success_url")
    with app.app_context():
        token = services(app).tokens.checkout_thanks_token(nonce)
    assert returned == f"https://st.example/c/hosted-case/thanks/checkout/{token}"
    assert call.form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "gbp",
        "line_items[0][price_data][unit_amount]": "2550",
        "line_items[0][price_data][product_data][name]": "Stop the Snoopers",
        "metadata[sharetrack_campaign]": "hosted-case",
        "metadata[sharetrack_ref]": ref,
        "payment_intent_data[metadata][sharetrack_campaign]": "hosted-case",
        "payment_intent_data[metadata][sharetrack_ref]": ref,
        "cancel_url": "https://st.example/c/hosted-case",
    }
    assert stored(app) == []  # nothing counts until Stripe says it is paid
    # Stripe then reports the payment with the metadata it was given: now it counts.
    metadata = {k[len("metadata[") : -1]: v for k, v in call.form.items() if k.startswith("meta")}
    metadata["sharetrack_refs"] = listed
    metadata["sharetrack_thanks"] = nonce
    paid = st.checkout_session("pi_from_checkout", 2550, metadata=metadata)
    body = st.event("checkout.session.completed", paid)
    answer = client.post(
        "/api/v1/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": st.sign(body), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200 and answer.json["stored"] is True
    with app.app_context():
        credit = db.session.execute(
            sa.select(PledgeCredit.share_id, PledgeCredit.amount_minor).where(
                PledgeCredit.model == "last_click"
            )
        ).all()
    assert credit == [(share.id, 2550)]
    # Sessions made before the return page still come back to ?paid=1, which still says so.
    landing = client.get("/c/hosted-case?paid=1").text
    assert "£25.50</strong> raised" in landing and "your payment is with Stripe" in landing


def test_the_pages_csp_lets_the_form_lead_to_checkout_only(client, hosted, stripe_api):  # noqa: F811
    # The second view comes from the worker's rendered pages, the third is a 304: same policy.
    first = client.get("/c/hosted-case")
    again = client.get("/c/hosted-case")
    revalidated = client.get("/c/hosted-case", headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304
    policies = {r.headers["Content-Security-Policy"] for r in (first, again, revalidated)}
    assert len(policies) == 1
    policy = policies.pop()
    assert f"form-action 'self' {stripe_api.origin};" in policy
    assert "default-src 'self';" in policy  # still nothing loaded from another origin
    elsewhere = client.get("/staff/login").headers["Content-Security-Policy"]
    assert "form-action 'self';" in elsewhere


def test_too_large_an_amount_never_reaches_stripe(client, hosted, stripe_api):  # noqa: F811
    response = post(client, hosted, "10000.01")
    assert response.status_code == 422
    assert "Pledges here go up to £10,000." in response.text
    assert stripe_api.calls == []


def test_stripe_failing_is_explained_beside_the_field(app, client, hosted, stripe_api):  # noqa: F811
    stripe_api.fail = True
    response = post(client, hosted, "5")
    assert response.status_code == 503
    assert "Payments are not available right now." in response.text
    assert len(stripe_api.calls) == 1  # one try: the supporter is waiting
    assert stored(app) == []


def test_a_checkout_url_elsewhere_is_not_followed(app, client, hosted, stripe_api):  # noqa: F811
    app.config["STRIPE_CHECKOUT_ORIGIN"] = "https://checkout.stripe.com"
    response = post(client, hosted, "5")
    assert response.status_code == 503
    assert "Location" not in response.headers
