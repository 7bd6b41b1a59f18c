"""pledges.stripe_events: what each Stripe event says about a payment (pure, no app)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sharetrack.pledges import stripe_events
from sharetrack.pledges.stripe_events import Ignored
from tests.pledges import stripe_support as st

T = 1_780_000_000
AT = dt.datetime(2026, 5, 28, 20, 26, 40)


def read(kind: str, obj: dict) -> stripe_events.Payment:
    return stripe_events.read(json.loads(st.event(kind, obj, T)))


def test_a_paid_checkout_session_is_a_paid_pledge_of_its_payment_intent():
    meta = {"sharetrack_campaign": "case-1", "sharetrack_ref": "1.abc"}
    payment = read("checkout.session.completed", st.checkout_session("pi_1", 2500, metadata=meta))
    assert payment == stripe_events.Payment(
        "pi_1", "paid", 2500, "GBP", AT, "case-1", (("1.abc", None),)
    )


@pytest.mark.parametrize(
    ("refunded", "status", "amount"),
    [(1, "paid", 999), (999, "paid", 1), (1000, "refunded", 1000), (-500, "paid", 1000)],
)
def test_refunds_lower_the_amount_or_end_the_pledge(refunded, status, amount):
    payment = read("charge.refunded", st.charge("pi_1", 1000, refunded))
    assert (payment.status, payment.amount_minor) == (status, amount)


def test_refs_come_from_metadata_then_client_reference_id_then_the_list():
    touches = json.dumps(
        [{"token": "1.first", "at": "2026-05-01T10:00:00+02:00"}, {"token": "1.bare"}, {"x": 1}]
    )
    # A malformed list is dropped whole; the ref beside it still counts.
    assert stripe_events.refs({"sharetrack_refs": touches}, "1.client") == (("1.client", None),)
    good = json.dumps([{"token": "1.first", "at": "2026-05-01T10:00:00+02:00"}, {"token": "1.b"}])
    assert stripe_events.refs({"sharetrack_refs": good}, "1.client") == (
        ("1.client", None),
        ("1.first", dt.datetime(2026, 5, 1, 8, 0)),
        ("1.b", None),
    )
    assert stripe_events.refs({"sharetrack_ref": "1.meta"}, "1.client") == (("1.meta", None),)
    assert stripe_events.refs({"sharetrack_refs": "not json"}, None) == ()


@pytest.mark.parametrize(
    ("kind", "obj", "why"),
    [
        ("plan.created", {}, "not one sharetrack uses"),
        ("checkout.session.completed", st.checkout_session("pi_1", 10, paid=False), "pending"),
        ("checkout.session.completed", st.checkout_session(None, 10), "no PaymentIntent"),
        ("charge.dispute.closed", st.dispute("pi_1", 10, "won"), "the money stays"),
        ("payment_intent.succeeded", st.payment_intent("pi_1", 0), "no amount"),
        (
            "checkout.session.completed",
            st.checkout_session("pi_1", 10, mode="subscription"),
            "subscription",
        ),
    ],
)
def test_events_that_change_no_pledge_say_why(kind, obj, why):
    with pytest.raises(Ignored, match=why):
        read(kind, obj)


def test_the_refs_value_keeps_the_newest_touches_that_fit_stripes_limit():
    touches = [(f"1.{n:016d}", dt.datetime(2026, 5, 1, 12, n)) for n in range(20)]
    value = stripe_events.refs_value(touches)
    assert len(value) <= 500
    kept = json.loads(value)
    assert kept[-1] == {"token": "1.0000000000000019", "at": "2026-05-01T12:19:00" + "Z"}
    assert [t["token"] for t in kept] == [t for t, _ in touches[-len(kept) :]]
    assert stripe_events.refs({"sharetrack_refs": value}, None) == tuple(
        (t, at) for t, at in touches[-len(kept) :]
    )
    assert stripe_events.refs_value([]) is None
