"""Webhook: POST /api/v1/webhooks/stripe, Stripe's events signed with the endpoint's secret.

The official SDK checks the Stripe-Signature header's HMAC (stripe.Webhook.construct_event);
its time, which the SDK checks only against the past, is checked here both ways (300 s, as the
generic webhook). pledges.stripe_events reads the event, pledges.payments stores it.
"""

from __future__ import annotations

import json
import logging
import time

import stripe
from flask import current_app, request

from .. import metrics
from ..errors import Problem, invalid
from ..extensions import db
from ..pledges import payments, service, signatures, stripe_events
from ..public import app_tokens
from ..ratelimit import limited
from . import bp
from .openapi import Reply, operation
from .responses import StripeReceived

log = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300  # Stripe's default, either way: older signatures are replays


def _now() -> int:
    return int(time.time())


def _verified_event(raw: bytes) -> dict:
    """The event as a plain dict, if any configured secret signed it lately; else a 400 problem."""
    header = request.headers.get("Stripe-Signature")
    secrets = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secrets:
        raise Problem(
            400, "Bad Request", "No Stripe webhook secret is configured.", slug="bad-signature"
        )
    for secret in secrets:
        try:
            # tolerance=None: the SDK checks the HMAC only; the time is checked below.
            stripe.Webhook.construct_event(raw, header, secret, tolerance=None)
        except stripe.SignatureVerificationError:
            continue
        except ValueError:  # signed, but not JSON: cannot be Stripe's
            break
        try:
            timestamp, _ = signatures.parse(header or "")
            signatures.check_time(timestamp, _now(), TOLERANCE_SECONDS)
        except signatures.SignatureError:
            break
        event = json.loads(raw)
        if isinstance(event, dict):
            return event
        break
    metrics.delivery_result("bad_signature")
    raise Problem(
        400,
        "Bad Request",
        "The Stripe-Signature header does not verify with the endpoint's secret, or is stale.",
        slug="bad-signature",
    )


@bp.post("/webhooks/stripe")
@operation(
    "Record a Stripe event (Checkout, PaymentIntent, refund, dispute) as a pledge",
    responses={200: Reply("Received; `stored` says whether a pledge changed", StripeReceived)},
    errors=(400, 409, 413, 422),
    limited=True,
    parameters=(
        {
            "name": "Stripe-Signature",
            "in": "header",
            "required": True,
            "description": "Stripe's signature of the raw body (t=…,v1=…)",
            "schema": {"type": "string"},
        },
    ),
    tags=("pledges",),
)
@limited("RATELIMIT_WEBHOOK")
def receive_stripe():
    """Store what a Stripe event says about a pledge; 200 also for events we do not use."""
    event = _verified_event(request.get_data(cache=True))
    try:
        payment = stripe_events.read(event)
    except (
        stripe_events.Ignored,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,  # `data` or an object that is not an object
        OverflowError,  # a `created` or a time no calendar holds
        OSError,
    ) as exc:
        log.info("stripe event %s (%s) ignored: %s", event.get("id"), event.get("type"), exc)
        metrics.delivery_result("ignored")
        return StripeReceived(received=True, stored=False, detail=f"ignored: {exc}")
    try:
        stored = payments.record_stripe(db.session, app_tokens(), payment)
    except service.DeliveryRefused as exc:
        log.warning("stripe event %s refused: %s", event.get("id"), exc.message)
        if exc.status == 409:
            raise Problem(409, "Conflict", exc.message, slug="campaign-mismatch") from None
        raise invalid([{"field": exc.field, "message": exc.message}]) from None
    if stored is None:
        log.info("stripe event %s (%s) names no campaign: ignored", event.get("id"), event["type"])
        metrics.delivery_result("ignored")
        return StripeReceived(received=True, stored=False, detail="ignored: no sharetrack campaign")
    db.session.commit()
    metrics.delivery_result("new" if stored.created else "repeat")
    detail = f"pledge {payment.payment_intent} is {stored.pledge.status}"
    return StripeReceived(received=True, stored=True, detail=detail)
