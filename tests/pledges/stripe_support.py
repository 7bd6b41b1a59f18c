"""Stripe events for tests: Stripe's example objects, built with the SDK's own types and signed
as Stripe signs (`t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">`)."""

from __future__ import annotations

import copy
import json
import time
from functools import cache
from pathlib import Path

import stripe

OBJECTS = Path(__file__).parent / "stripe_objects"
SECRET = "whsec_test_current_0123456789"
OLD_SECRET = "whsec_test_previous_9876543210"


@cache
def _example(name: str) -> dict:
    return json.loads((OBJECTS / f"{name}.json").read_text())


def example(name: str, **fields) -> dict:
    """A copy of Stripe's example object `name` with `fields` set."""
    return copy.deepcopy(_example(name)) | fields


def checkout_session(pi: str, amount: int, *, metadata=None, paid=True, **fields) -> dict:
    """A completed Checkout Session of `amount` (minor units) paid through PaymentIntent `pi`."""
    values = {
        "mode": "payment",
        "status": "complete",
        "payment_status": "paid" if paid else "unpaid",
        "payment_intent": pi,
        "amount_total": amount,
        "amount_subtotal": amount,
        "currency": "gbp",
        "metadata": metadata or {},
    }
    return example("checkout_session", **(values | fields))


def payment_intent(pi: str, amount: int, *, metadata=None, **fields) -> dict:
    """A succeeded PaymentIntent."""
    return example(
        "payment_intent",
        id=pi,
        status="succeeded",
        amount=amount,
        amount_received=amount,
        currency="gbp",
        metadata=metadata or {},
        **fields,
    )


def charge(pi: str, amount: int, refunded: int, *, metadata=None, **fields) -> dict:
    """The charge of `pi`, of which `refunded` went back so far."""
    values = {
        "payment_intent": pi,
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "refunded": refunded >= amount,
        "captured": True,
        "currency": "gbp",
        "metadata": metadata or {},
    }
    return example("charge", **(values | fields))


def dispute(pi: str, amount: int, status: str = "lost", **fields) -> dict:
    """A closed dispute of `pi`'s charge."""
    return example(
        "dispute", payment_intent=pi, amount=amount, currency="gbp", status=status, **fields
    )


_counter = iter(range(1, 10**9))


def event(kind: str, obj: dict, created: int | None = None) -> bytes:
    """The body Stripe posts: an Event of type `kind` about `obj`, built as the SDK's objects."""
    body = example(
        "event",
        id=f"evt_test_{next(_counter):08d}",
        type=kind,
        created=int(time.time()) if created is None else created,
        data={"object": obj},
    )
    built = stripe.Event.construct_from(body, "sk_test_unused")
    assert isinstance(built.data.object, stripe.StripeObject)  # the SDK's own types throughout
    return json.dumps(built.to_dict(recursive=True, for_json=True)).encode()


def sign(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for `body`, computed as Stripe's SDK computes it."""
    t = int(time.time()) if timestamp is None else timestamp
    v1 = stripe.WebhookSignature._compute_signature(f"{t}.{body.decode()}", secret)
    return f"t={t},v1={v1}"
