"""Stripe Checkout's return: /c/<slug>/thanks/checkout/<signed nonce>, confirming until the
webhook arrives, then the pledge's thank-you page (ADR 0403)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from sharetrack.services import services
from sharetrack.signing import Tokens, checkout_nonce
from tests.conftest import BOTH_ENGINES
from tests.pledges import stripe_support as st
from tests.pledges.stripe_recorder import (
    running,
    session_refusal,
    stripe_api,  # noqa: F401  (fixture)
)
from tests.pledges.test_checkout import app_config, post  # noqa: F401  (fixture)
from tests.pledges.test_page import arrive
from tests.pledges.test_thanks import parents

HEADERS = {"Content-Type": "application/json"}


@pytest.fixture
def hosted(make_campaign):
    return make_campaign(pledge_page=True, slug="hosted-case", title="Stop the Snoopers")


def checkout(client, campaign, stripe_api, amount="25.50", ref=None):  # noqa: F811
    """Pledge through Checkout; returns (the return path, the session's metadata)."""
    assert post(client, campaign, amount, ref).status_code == 303
    call = stripe_api.calls[-1]
    metadata = {k[len("metadata[") : -1]: v for k, v in call.form.items() if k.startswith("meta")}
    return urlsplit(call.form["success_url"]).path, metadata


def paid(client, metadata, pi="pi_returned", amount=2550):
    session = st.checkout_session(pi, amount, metadata=metadata)
    body = st.event("checkout.session.completed", session)
    answer = client.post(
        "/api/v1/webhooks/stripe", data=body, headers=HEADERS | {"Stripe-Signature": st.sign(body)}
    )
    assert answer.status_code == 200 and answer.json["stored"] is True, answer.json


@BOTH_ENGINES
def test_the_return_confirms_until_the_webhook_then_thanks_with_the_pledges_ref(
    client,
    hosted,
    make_share,
    stripe_api,  # noqa: F811
    engine_name,
):
    _share, token = make_share(hosted, channel="whatsapp")
    ref = arrive(client, token, **{"Sec-GPC": "1"})
    address, metadata = checkout(client, hosted, stripe_api, ref=ref)
    assert address.startswith("/c/hosted-case/thanks/checkout/")
    assert metadata["sharetrack_thanks"] in address  # the nonce, signed: nothing personal

    waiting = client.get(address)
    assert waiting.status_code == 200
    assert "we are confirming your payment" in waiting.text
    assert '<meta http-equiv="refresh" content="3">' in waiting.text
    assert "£25.50" not in waiting.text and 'name="parent"' not in waiting.text
    assert "Set-Cookie" not in waiting.headers
    assert waiting.headers["Cache-Control"] == "private, no-store"

    paid(client, metadata)
    thanked = client.get(address)
    assert thanked.status_code == 200
    html = thanked.text
    assert 'Thank you for your pledge of <span class="nowrap">£25.50</span>' in html
    assert "Your payment is in" in html and "http-equiv" not in html
    assert parents(html) == {ref}
    assert "Set-Cookie" not in thanked.headers
    assert thanked.headers["Cache-Control"] == "private, no-store"


@BOTH_ENGINES
def test_a_forged_altered_or_misplaced_return_token_is_a_404(
    app,
    client,
    hosted,
    make_campaign,
    stripe_api,  # noqa: F811
    engine_name,
):
    address, metadata = checkout(client, hosted, stripe_api)
    paid(client, metadata)
    assert client.get(address).status_code == 200
    head, _, token = address.rpartition("/")
    nonce, _, sig = token.partition(".")
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    with app.app_context():
        tokens = services(app).tokens
        other_salt = tokens.thanks_token(1)  # the form's thank-you token: another purpose
    elsewhere = make_campaign(pledge_page=True, slug="elsewhere")
    for forged in (
        f"{nonce}.{flipped}",
        f"{nonce.upper()}.{sig}",
        Tokens("another key").checkout_thanks_token(nonce),
        other_salt,
        nonce,
        f"{token}x",
    ):
        assert client.get(f"{head}/{forged}").status_code == 404, forged
    # The right token under another campaign's address opens nothing.
    assert client.get(f"/c/{elsewhere.slug}/thanks/checkout/{token}").status_code == 404


def test_the_nonce_is_kept_once_and_a_malformed_one_never(app, client, hosted):
    nonce = checkout_nonce()
    first = {"sharetrack_campaign": hosted.slug, "sharetrack_thanks": nonce}
    paid(client, first, pi="pi_first")
    # A second payment naming the same nonce does not take the first one's page (nor 500).
    paid(client, first, pi="pi_second", amount=100)
    paid(client, {"sharetrack_campaign": hosted.slug, "sharetrack_thanks": "<b>"}, pi="pi_bad")
    with app.app_context():
        token = services(app).tokens.checkout_thanks_token(nonce)
    html = client.get(f"/c/{hosted.slug}/thanks/checkout/{token}").text
    assert "£25.50" in html


def test_the_stand_in_answers_only_what_stripe_documents():
    good = {"mode": "payment", "success_url": "https://st.example/x", "metadata[a]": "b"}
    assert session_refusal(good) is None
    assert "unknown parameter" in session_refusal(good | {"success_urls": "x"})
    assert "500 characters" in session_refusal(good | {"metadata[a]": "x" * 501})
    assert "unknown parameter" in session_refusal(good | {f"metadata[{'k' * 41}]": "x"})
    with running() as recorder:
        refused = requests.post(f"{recorder.origin}/v1/prices", data={"a": "1"}, timeout=5)
        assert refused.status_code == 404
        assert refused.json()["error"]["type"] == "invalid_request_error"
