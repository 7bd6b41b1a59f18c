"""Stripe events as pledge deliveries: which events count, and what each says about a payment.

Pure functions over the event as Stripe sends it (a dict); `pledges.payments.record_stripe`
stores what they return with the pledge rules of `pledges.service` (docs/adr/0303, 0305).
The pledge's external id is the PaymentIntent id, the one id every event of a payment names.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..periods import iso_utc
from ..signing import is_checkout_nonce
from ..validation import has_control

# Where a Checkout integration puts our values (docs/payments.md).
CAMPAIGN_KEY = "sharetrack_campaign"
REF_KEY = "sharetrack_ref"
REFS_KEY = "sharetrack_refs"
# The Checkout return's nonce (signing.checkout_nonce): the pledge keeps it as checkout_ref.
THANKS_KEY = "sharetrack_thanks"
MAX_REFS = 50
METADATA_VALUE_LIMIT = 500  # characters in one Stripe metadata value

HANDLED = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "payment_intent.succeeded",
    "charge.refunded",
    "charge.dispute.closed",
)


class Ignored(Exception):
    """An event that changes no pledge: answered 200 with a log line saying why."""


@dataclass(frozen=True)
class Payment:
    """What one event says about one payment, as a pledge delivery would."""

    payment_intent: str
    status: str  # paid, cancelled or refunded
    amount_minor: int
    currency: str  # upper case, as campaigns keep it
    occurred_at: dt.datetime  # the event's creation, naive UTC: the newest event wins
    campaign: str | None  # metadata.sharetrack_campaign
    refs: tuple[tuple[str, dt.datetime | None], ...]  # (share token, arrival) pairs
    checkout_ref: str | None = None  # metadata.sharetrack_thanks, when spelled as we make them


class _Touch(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: str = Field(min_length=1, max_length=64)
    at: dt.datetime | None = None


_TOUCHES = TypeAdapter(list[_Touch])
# The pledges' external_id column holds at most this many characters.
MAX_EXTERNAL_ID = 128


def read(event: dict) -> Payment:
    """The payment an event describes; raises Ignored for events that change no pledge."""
    kind = event.get("type")
    if kind not in HANDLED:
        raise Ignored(f"event type {kind!r} is not one sharetrack uses")
    obj = (event.get("data") or {}).get("object") or {}
    at = dt.datetime.fromtimestamp(int(event["created"]), dt.UTC).replace(tzinfo=None)
    if kind.startswith("checkout.session."):
        payment = _checkout(kind, obj, at)
    elif kind == "payment_intent.succeeded":
        payment = _payment(obj, obj.get("id"), "paid", obj.get("amount_received"), at)
    elif kind == "charge.refunded":
        payment = _refund(obj, at)
    else:
        payment = _dispute(obj, at)
    intent = payment.payment_intent
    if not isinstance(intent, str) or not 0 < len(intent) <= MAX_EXTERNAL_ID or has_control(intent):
        raise Ignored("the PaymentIntent id is not one Stripe makes")
    return payment


def _checkout(kind: str, session: dict, at: dt.datetime) -> Payment:
    if session.get("mode") not in (None, "payment"):
        raise Ignored(f"checkout session in {session.get('mode')!r} mode")
    if kind == "checkout.session.async_payment_failed":
        status = "cancelled"
    elif session.get("payment_status") in ("paid", "no_payment_required"):
        status = "paid"
    else:
        # Completed but unpaid: a delayed method (a bank debit). It counts once the
        # async_payment_succeeded event says the money arrived.
        raise Ignored("checkout session completed, payment still pending")
    return _payment(session, session.get("payment_intent"), status, session.get("amount_total"), at)


def _refund(charge: dict, at: dt.datetime) -> Payment:
    captured = int(charge.get("amount_captured") or charge.get("amount") or 0)
    refunded = max(0, int(charge.get("amount_refunded") or 0))  # a refund never adds money
    if charge.get("refunded") or refunded >= captured:
        return _payment(charge, charge.get("payment_intent"), "refunded", captured, at)
    # A partial refund: the pledge is what the supporter still gave.
    return _payment(charge, charge.get("payment_intent"), "paid", captured - refunded, at)


def _dispute(dispute: dict, at: dt.datetime) -> Payment:
    if dispute.get("status") != "lost":
        raise Ignored(f"dispute closed as {dispute.get('status')!r}: the money stays")
    return _payment(dispute, dispute.get("payment_intent"), "refunded", dispute.get("amount"), at)


def _payment(obj: dict, intent, status: str, amount, at: dt.datetime) -> Payment:
    if isinstance(intent, dict):  # expanded
        intent = intent.get("id")
    if not isinstance(intent, str) or not intent:
        raise Ignored(f"{obj.get('object')} {obj.get('id')} names no PaymentIntent")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise Ignored(f"{obj.get('object')} {obj.get('id')} has no amount")
    currency = obj.get("currency")
    if not isinstance(currency, str) or len(currency) != 3:
        raise Ignored(f"{obj.get('object')} {obj.get('id')} has no currency")
    metadata = obj.get("metadata") or {}
    campaign = metadata.get(CAMPAIGN_KEY)
    nonce = metadata.get(THANKS_KEY)
    return Payment(
        payment_intent=intent,
        status=status,
        amount_minor=amount,
        currency=currency.upper(),
        occurred_at=at,
        campaign=campaign if isinstance(campaign, str) and campaign else None,
        refs=refs(metadata, obj.get("client_reference_id")),
        checkout_ref=nonce if is_checkout_nonce(nonce) else None,
    )


def refs(metadata: dict, client_reference_id) -> tuple[tuple[str, dt.datetime | None], ...]:
    """The share links a payment names: sharetrack_ref (else client_reference_id), then the
    touches listed in sharetrack_refs. Malformed lists are dropped: the money is real anyway."""
    out: list[tuple[str, dt.datetime | None]] = []
    ref = metadata.get(REF_KEY) or client_reference_id
    if isinstance(ref, str) and 0 < len(ref) <= 64:
        out.append((ref, None))
    listed = metadata.get(REFS_KEY)
    if isinstance(listed, str) and listed:
        try:
            touches = _TOUCHES.validate_python(json.loads(listed))
        except (ValueError, ValidationError):
            touches = []
        for touch in touches[:MAX_REFS]:
            at = touch.at
            if at is not None and at.tzinfo is not None:
                try:
                    at = at.astimezone(dt.UTC).replace(tzinfo=None)
                except OverflowError:  # a time no calendar holds: the touch is dropped
                    continue
            out.append((touch.token, at))
    return tuple(out)


def refs_value(touches: list[tuple[str, dt.datetime]]) -> str | None:
    """The sharetrack_refs metadata value of (token, arrival) touches: as many of the newest
    as fit in one Stripe metadata value, oldest first; None if there are none."""
    kept: list[dict] = []
    for token, at in sorted(touches, key=lambda t: t[1], reverse=True):
        entry = {"token": token, "at": iso_utc(at.replace(microsecond=0))}
        if len(json.dumps([entry, *kept], separators=(",", ":"))) > METADATA_VALUE_LIMIT:
            break
        kept.insert(0, entry)
    return json.dumps(kept, separators=(",", ":")) if kept else None
