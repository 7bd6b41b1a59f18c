"""Sending what the outbox holds: signed, retried with exponential backoff for three days.

`deliver_due(session, now)` is the one entry point: `flask deliver-webhooks` runs it once, and
a task queue's periodic job may call it as often as it likes (runs may overlap: each claims
its rows first). Delivery is at least once; the `webhook-id` is the receiver's idempotency key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import WebhookDelivery, WebhookEndpoint, utcnow
from ..models.webhooks import DELIVERED, FAILED, PENDING, RETRY_FOR
from ..periods import iso_utc
from . import addresses, outbox, transport
from .endpoints import Rules, disable, rules_from, signing_secrets

BATCH = 100  # deliveries one run sends at most
# A claimed delivery is not due again for this long, so an overlapping run leaves it alone
# while this one sends it (longer than a send can take).
LEASE = dt.timedelta(minutes=2)
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=6)


@dataclass
class Summary:
    """What one run did."""

    sent: int = 0
    delivered: int = 0
    disabled: int = 0
    ended: int = 0


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: 30 s, doubling, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_WAIT)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks signature `v1,<base64 HMAC-SHA256>` of id.timestamp.body."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def headers(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: dt.datetime) -> dict:
    """The signed headers of one attempt. The timestamp is the wall clock at sending, which
    receivers compare with theirs; `now` only picks the secrets in use."""
    body = delivery.payload.encode()
    stamp = int(time.time())
    signatures = [sign(s, delivery.event_id, stamp, body) for s in signing_secrets(endpoint, now)]
    return {
        "Content-Type": "application/json",
        "User-Agent": "sharetrack-webhooks/1",
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": " ".join(signatures),
    }


def claim(session: Session, now: dt.datetime, limit: int = BATCH) -> list[int]:
    """Take the due deliveries of live endpoints (skipping rows another run holds), push them
    past the lease, commit; their ids, oldest due first."""
    rows = session.scalars(
        sa.select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.state == PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.enabled.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    ).all()
    due = [(row.id, row.next_attempt_at) for row in rows]
    session.rollback()  # end the read: each row is taken by a conditional write of its own
    taken = []
    for delivery_id, was_due_at in due:
        # Only if nobody leased it since we read it: SQLite has no FOR UPDATE, and two runs
        # (the worker's minute job and a queued one) may read the same rows.
        moved = session.execute(
            sa.update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.state == PENDING,
                WebhookDelivery.next_attempt_at == was_due_at,
            )
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:
            taken.append(delivery_id)
    session.commit()
    return taken


def attempt(session: Session, delivery_id: int, now: dt.datetime, rules: Rules) -> bool | None:
    """Send one claimed delivery and note the outcome; True delivered, False to retry or given
    up, None if the endpoint was disabled by this failure. Caller commits."""
    delivery = session.get(WebhookDelivery, delivery_id)
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
    if delivery is None or endpoint is None or delivery.state != PENDING:
        return False
    try:
        target = addresses.parse(endpoint.url, allow_http=rules.allow_http)
    except addresses.AddressRefused as exc:
        answer = transport.Answer(None, f"refused: {exc}")
    else:
        answer = transport.post(
            target,
            delivery.payload.encode(),
            headers(endpoint, delivery, now),
            allow_private=rules.allow_private,
            timeout=rules.timeout,
        )
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status = answer.status
    delivery.last_response = answer.excerpt[: transport.EXCERPT_BYTES]
    if answer.ok:
        delivery.state = DELIVERED
        endpoint.failing_since = None
        return True
    endpoint.failing_since = endpoint.failing_since or now
    if now - endpoint.failing_since >= RETRY_FOR:
        what = f"HTTP {answer.status}" if answer.status else answer.excerpt[:120]
        disable(
            session,
            endpoint,
            f"Disabled {iso_utc(now)}: every delivery failed since "
            f"{iso_utc(endpoint.failing_since)} (last: {what}). Fix the receiver, then enable.",
        )
        return None
    if now >= delivery.gives_up_at:
        delivery.state = FAILED
    else:
        delivery.next_attempt_at = min(now + backoff(delivery.attempts), delivery.gives_up_at)
    return False


def deliver_due(
    session: Session, now: dt.datetime | None = None, rules: Rules | None = None
) -> Summary:
    """Announce campaigns that ended, then send every due delivery once; commits as it goes.

    A receiver that fails (an error status, a redirect, a timeout, a closed connection, an
    address now refused) gets the delivery again later; nothing it does raises here.
    """
    now = now or utcnow()
    rules = rules or Rules()
    summary = Summary(ended=outbox.end_due(session, now))
    session.commit()
    for delivery_id in claim(session, now):
        outcome = attempt(session, delivery_id, now, rules)
        session.commit()
        summary.sent += 1
        summary.delivered += outcome is True
        summary.disabled += outcome is None
    return summary


def deliver_due_in_app() -> Summary:
    """deliver_due with the app's session and settings, now: what `flask deliver-webhooks`
    and a task queue's periodic job call (inside an app context)."""
    return deliver_due(db.session, utcnow(), rules_from(current_app.config, current_app.debug))
