"""POST /api/v1/webhooks/stripe: Stripe's signed events as pledges, exact whatever their order."""

from __future__ import annotations

import json
import logging
import random
import time

import pytest
import sqlalchemy as sa

from sharetrack.api import stripe_webhook
from sharetrack.extensions import db
from sharetrack.models import ATTRIBUTION_MODELS as MODELS
from sharetrack.models import MAX_AMOUNT_MINOR, Pledge, PledgeCredit
from tests.conftest import BOTH_ENGINES
from tests.pledges import stripe_support as st
from tests.pledges.stripe_support import OLD_SECRET, SECRET

URL = "/api/v1/webhooks/stripe"


@pytest.fixture
def app_config(app_config) -> dict:
    """Two endpoint secrets, as while Stripe rolls them (a JSON list in the environment)."""
    return {**app_config, "STRIPE_WEBHOOK_SECRET": [SECRET, OLD_SECRET]}


@pytest.fixture
def send(client):
    """Post a Stripe event body signed with SECRET (or as told); returns the response."""

    def post(body: bytes, *, secret: str = SECRET, timestamp: int | None = None, header=None):
        signature = header if header is not None else st.sign(body, secret, timestamp)
        return client.post(
            URL,
            data=body,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )

    return post


def pledges(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            sa.select(
                Pledge.external_id, Pledge.amount_minor, Pledge.status, Pledge.source
            ).order_by(Pledge.external_id)
        ).all()


def credit_sums(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(PledgeCredit.model, sa.func.sum(PledgeCredit.amount_minor)).group_by(
                PledgeCredit.model
            )
        )
        return {model: int(total) for model, total in rows}


def totals(client, auth, campaign) -> dict:
    response = client.get(f"/api/v1/campaigns/{campaign.slug}/report", headers=auth)
    assert response.status_code == 200, response.json
    return response.json["totals"]


@BOTH_ENGINES
def test_every_event_in_any_order_leaves_exact_totals(
    app, client, auth, make_campaign, make_share, send, engine_name
):
    # The largest pledge allowed, so even a refund arriving first is stored (and then lowered).
    campaign = make_campaign(max_pledge_minor=MAX_AMOUNT_MINOR)
    share, token = make_share(campaign, channel="whatsapp")
    meta = {"sharetrack_campaign": campaign.slug, "sharetrack_ref": token}
    t0 = int(time.time()) - 3600
    events = [
        # paid through Checkout, then refunded in part twice (amount_refunded is cumulative)
        st.event(
            "checkout.session.completed", st.checkout_session("pi_a", 5000, metadata=meta), t0
        ),
        st.event("payment_intent.succeeded", st.payment_intent("pi_a", 5000, metadata=meta), t0),
        st.event("charge.refunded", st.charge("pi_a", 5000, 1200, metadata=meta), t0 + 60),
        st.event("charge.refunded", st.charge("pi_a", 5000, 2001, metadata=meta), t0 + 120),
        # a delayed payment that arrived
        st.event(
            "checkout.session.completed",
            st.checkout_session("pi_b", 3000, metadata=meta, paid=False),
            t0,
        ),
        st.event(
            "checkout.session.async_payment_succeeded",
            st.checkout_session("pi_b", 3000, metadata=meta),
            t0 + 30,
        ),
        # a delayed payment that failed
        st.event(
            "checkout.session.completed",
            st.checkout_session("pi_c", 4000, metadata=meta, paid=False),
            t0,
        ),
        st.event(
            "checkout.session.async_payment_failed",
            st.checkout_session("pi_c", 4000, metadata=meta, paid=False),
            t0 + 30,
        ),
        # paid without Checkout, then refunded in full
        st.event("payment_intent.succeeded", st.payment_intent("pi_d", 700, metadata=meta), t0),
        st.event("charge.refunded", st.charge("pi_d", 700, 700, metadata=meta), t0 + 60),
        # paid, then a dispute lost
        st.event("payment_intent.succeeded", st.payment_intent("pi_e", 900, metadata=meta), t0),
        st.event("charge.dispute.closed", st.dispute("pi_e", 900, "lost"), t0 + 90),
        # paid, and a dispute won: the money stays
        st.event("payment_intent.succeeded", st.payment_intent("pi_f", 1100, metadata=meta), t0),
        st.event("charge.dispute.closed", st.dispute("pi_f", 1100, "won"), t0 + 90),
        # paid, then a refund of 1 whose charge claims far more was captured: never raised
        st.event(
            "checkout.session.completed", st.checkout_session("pi_g", 1000, metadata=meta), t0
        ),
        st.event(
            "charge.refunded",
            st.charge("pi_g", 1000, 1, amount_captured=5_000_000, metadata=meta),
            t0 + 60,
        ),
        # paid, then a lost dispute claiming more than was paid: refunded, its amount not raised
        st.event("payment_intent.succeeded", st.payment_intent("pi_h", 600, metadata=meta), t0),
        st.event("charge.dispute.closed", st.dispute("pi_h", 7_000_000, "lost"), t0 + 90),
    ]
    rng = random.Random(12)
    for _ in range(2):  # every event twice (Stripe retries), in a shuffled order
        order = events * 2
        rng.shuffle(order)
        for body in order:
            assert send(body).status_code == 200
        assert pledges(app) == [
            ("pi_a", 2999, "paid", "stripe"),
            ("pi_b", 3000, "paid", "stripe"),
            ("pi_c", 4000, "cancelled", "stripe"),
            ("pi_d", 700, "refunded", "stripe"),
            ("pi_e", 900, "refunded", "stripe"),
            ("pi_f", 1100, "paid", "stripe"),
            ("pi_g", 1000, "paid", "stripe"),
            ("pi_h", 600, "refunded", "stripe"),
        ]
        raised = 2999 + 3000 + 1100 + 1000
        figures = totals(client, auth, campaign)
        assert (figures["raised_minor"], figures["pledges"]) == (raised, 4)
        assert figures["attributed_minor"] == raised
        # The partial refunds lower the credit exactly, under every model.
        assert credit_sums(app) == dict.fromkeys(MODELS, raised)


def test_a_paid_checkout_credits_the_ref_and_answers_what_it_did(
    app, client, auth, make_campaign, make_share, send
):
    campaign = make_campaign()
    share, token = make_share(campaign, channel="x")
    body = st.event(
        "checkout.session.completed",
        st.checkout_session("pi_1", 2500, metadata={"sharetrack_campaign": campaign.slug}),
    )
    body_with_ref = st.event(
        "checkout.session.completed",
        st.checkout_session(
            "pi_2", 1500, metadata={"sharetrack_campaign": campaign.slug}, client_reference_id=token
        ),
    )
    first = send(body)
    assert first.status_code == 200
    assert first.json == {"received": True, "stored": True, "detail": "pledge pi_1 is paid"}
    assert send(body_with_ref).json["stored"] is True
    with app.app_context():
        credited = db.session.execute(
            sa.select(PledgeCredit.share_id, PledgeCredit.amount_minor).where(
                PledgeCredit.model == "last_click"
            )
        ).all()
    assert credited == [(share.id, 1500)]  # client_reference_id carried the ref
    assert totals(client, auth, campaign)["raised_minor"] == 4000


def test_the_campaign_can_come_from_the_ref_and_touches_from_sharetrack_refs(
    app, make_campaign, make_share, send
):
    campaign = make_campaign()
    first, first_token = make_share(campaign, channel="x")
    last, last_token = make_share(campaign, channel="email")
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    refs = f'[{{"token": "{first_token}", "at": "{at}"}}]'
    intent = st.payment_intent(
        "pi_refs", 1000, metadata={"sharetrack_ref": last_token, "sharetrack_refs": refs}
    )
    assert send(st.event("payment_intent.succeeded", intent)).json["stored"] is True
    with app.app_context():
        by_model = dict(
            db.session.execute(
                sa.select(PledgeCredit.model, PledgeCredit.share_id).where(
                    PledgeCredit.model.in_(("first_click", "last_click"))
                )
            ).all()
        )
    assert by_model == {"first_click": first.id, "last_click": last.id}


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=1,v1=00",
        "garbage",
        "v1=" + "0" * 64,
    ],
)
def test_a_bad_signature_is_400_problem_details_and_stores_nothing(
    app, make_campaign, send, header
):
    campaign = make_campaign()
    body = st.event(
        "payment_intent.succeeded",
        st.payment_intent("pi_x", 100, metadata={"sharetrack_campaign": campaign.slug}),
    )
    response = send(body, header=header)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["type"].endswith("/bad-signature")
    assert pledges(app) == []


def test_a_wrong_or_stale_secret_is_refused_and_the_older_secret_verifies(app, make_campaign, send):
    campaign = make_campaign()
    meta = {"sharetrack_campaign": campaign.slug}
    body = st.event("payment_intent.succeeded", st.payment_intent("pi_y", 100, metadata=meta))
    assert send(body, secret="whsec_someone_else").status_code == 400
    assert send(body, timestamp=int(time.time()) - 301).status_code == 400
    tampered = body.replace(b'"amount_received": 100', b'"amount_received": 900000')
    assert tampered != body
    assert send(tampered, header=st.sign(body)).status_code == 400
    assert pledges(app) == []
    assert send(body, secret=OLD_SECRET).status_code == 200  # rotation: both secrets verify
    assert pledges(app) == [("pi_y", 100, "paid", "stripe")]


NOW = 1_780_000_000


@pytest.fixture
def frozen_clock(monkeypatch):
    """The webhook's clock stopped at NOW, so the tolerance's edges are exact."""
    monkeypatch.setattr(stripe_webhook, "_now", lambda: NOW)


@pytest.mark.parametrize(
    ("skew", "status"), [(-301, 400), (-300, 200), (300, 200), (301, 400), (3600, 400)]
)
def test_a_signature_more_than_five_minutes_either_side_of_now_is_refused(
    app, make_campaign, send, frozen_clock, skew, status
):
    campaign = make_campaign()
    meta = {"sharetrack_campaign": campaign.slug}
    body = st.event("payment_intent.succeeded", st.payment_intent("pi_t", 100, metadata=meta), NOW)
    response = send(body, timestamp=NOW + skew)
    assert response.status_code == status
    if status == 400:
        assert response.json["type"].endswith("/bad-signature")
    assert pledges(app) == ([("pi_t", 100, "paid", "stripe")] if status == 200 else [])


def test_events_we_do_not_use_or_without_a_campaign_are_200_and_logged(
    app, make_campaign, send, caplog
):
    make_campaign()
    caplog.set_level(logging.INFO, logger="sharetrack.api.stripe_webhook")
    plan = (st.OBJECTS / "event.json").read_bytes()  # Stripe's example: a plan.created event
    unrelated = st.event("payment_intent.succeeded", st.payment_intent("pi_shop", 999))
    for body in (plan, unrelated):
        response = send(body)
        assert response.status_code == 200
        assert response.json["stored"] is False
    assert pledges(app) == []
    assert "plan.created" in caplog.text and "names no campaign" in caplog.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "eur"}, "currency"),
        ({"amount_received": 1_000_001, "amount": 1_000_001}, "amount_minor"),
        ({"metadata": {"sharetrack_campaign": "no-such-case"}}, "campaign"),
    ],
)
def test_a_mismatched_or_too_large_payment_is_422_and_changes_nothing(
    app, make_campaign, send, change, field
):
    campaign = make_campaign()
    intent = st.payment_intent("pi_z", 500, metadata={"sharetrack_campaign": campaign.slug})
    response = send(st.event("payment_intent.succeeded", intent | change))
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == [field]
    assert pledges(app) == []


def test_a_payment_cannot_move_to_another_campaign(app, make_campaign, send):
    first, second = make_campaign(), make_campaign()
    meta = {"sharetrack_campaign": first.slug}
    paid = st.event("payment_intent.succeeded", st.payment_intent("pi_m", 500, metadata=meta))
    assert send(paid).status_code == 200
    moved = st.charge("pi_m", 500, 500, metadata={"sharetrack_campaign": second.slug})
    response = send(st.event("charge.refunded", moved))
    assert response.status_code == 409
    assert pledges(app) == [("pi_m", 500, "paid", "stripe")]


def test_a_refund_finds_its_pledge_by_the_payment_intent_alone(
    app, client, auth, make_campaign, send
):
    campaign = make_campaign()
    meta = {"sharetrack_campaign": campaign.slug}
    send(st.event("payment_intent.succeeded", st.payment_intent("pi_r", 800, metadata=meta)))
    # Charges do not carry the PaymentIntent's metadata: the PaymentIntent id is enough.
    send(st.event("charge.refunded", st.charge("pi_r", 800, 300), int(time.time()) + 1))
    assert pledges(app) == [("pi_r", 500, "paid", "stripe")]
    assert totals(client, auth, campaign)["raised_minor"] == 500


@pytest.mark.parametrize(
    "mangle",
    [
        lambda e: e | {"data": "not an object"},
        lambda e: e | {"created": 10**20},
        lambda e: (
            e
            | {"data": {"object": e["data"]["object"] | {"payment_intent": "pi_\x00" + "x" * 200}}}
        ),
    ],
    ids=["data-not-an-object", "created-overflows", "payment-intent-with-nul-and-too-long"],
)
def test_a_signed_event_of_a_strange_shape_is_ignored_not_a_500(app, send, make_campaign, mangle):
    campaign = make_campaign(currency="GBP")
    obj = st.checkout_session("pi_strange", 2500, metadata={"sharetrack_campaign": campaign.slug})
    body = json.dumps(mangle(json.loads(st.event("checkout.session.completed", obj)))).encode()
    response = send(body)
    assert response.status_code == 200
    assert response.json["stored"] is False
    assert pledges(app) == []


def test_a_touch_at_a_time_no_calendar_holds_is_dropped():
    from sharetrack.pledges import stripe_events

    listed = json.dumps([{"token": "1.far", "at": "0001-01-01T00:00:00+01:00"}, {"token": "1.b"}])
    assert stripe_events.refs({"sharetrack_refs": listed}, None) == (("1.b", None),)
