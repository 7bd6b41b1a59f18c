"""Webhook endpoints staff register: checked URL, known events, a secret shown once."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint, utcnow
from ..models.webhooks import FAILED, PENDING, RETRY_FOR
from . import addresses

SECRET_PREFIX = "whsec_"  # noqa: S105  (the format's prefix, not a secret)
# After a rotation the old secret still signs this long, beside the new one.
ROTATION_OVERLAP = dt.timedelta(hours=24)
MAX_LOG = 50  # deliveries shown per endpoint


@dataclass(frozen=True)
class Rules:
    """Where endpoints may point: the settings (SHARETRACK_WEBHOOK_ALLOW_PRIVATE, _HTTP)."""

    allow_private: bool = False
    allow_http: bool = False
    timeout: float = 10.0


def rules_from(config, debug: bool = False) -> Rules:
    """The Rules the app's settings give (a Flask config or any mapping)."""
    allow_http = config.get("WEBHOOK_ALLOW_HTTP")
    return Rules(
        allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE")),
        allow_http=debug if allow_http is None else bool(allow_http),
        timeout=float(config.get("WEBHOOK_TIMEOUT", 10)),
    )


class EndpointRefused(ValueError):
    """An endpoint that cannot be registered: `field` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def new_secret() -> str:
    """A signing secret: "whsec_" and base64 of 24 random bytes (Standard Webhooks)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def checked(url: str, events: Iterable[str], rules: Rules) -> tuple[str, tuple[str, ...]]:
    """The URL and events, checked; EndpointRefused naming the field otherwise."""
    wanted = list(dict.fromkeys(events))
    if unknown := [e for e in wanted if e not in WEBHOOK_EVENTS]:
        shown = ", ".join(repr(e[:40]) for e in unknown[:5])
        raise EndpointRefused(
            "events", f"unknown event {shown}; one of {', '.join(WEBHOOK_EVENTS)}"
        )
    if not wanted:
        raise EndpointRefused("events", "choose at least one event")
    try:
        target = addresses.parse(url, allow_http=rules.allow_http)
        addresses.resolve(target, allow_private=rules.allow_private)
    except addresses.AddressRefused as exc:
        raise EndpointRefused("url", str(exc)) from None
    return url, tuple(e for e in WEBHOOK_EVENTS if e in wanted)


def create(
    session: Session, url: str, events: Iterable[str], rules: Rules
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (to show once). Raises EndpointRefused, storing nothing."""
    url, chosen = checked(url, events, rules)
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url, events=" ".join(chosen), secret=secret)
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def rotate(endpoint: WebhookEndpoint, now: dt.datetime | None = None) -> str:
    """A new secret (to show once); the old one also signs for ROTATION_OVERLAP."""
    now = now or utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_until = now + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    return endpoint.secret


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one while it overlaps."""
    out = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_until and now < endpoint.previous_until:
        out.append(endpoint.previous_secret)
    return out


def enable(endpoint: WebhookEndpoint) -> None:
    """Turn an endpoint back on: its note goes; new events reach it again."""
    endpoint.enabled, endpoint.disabled_note, endpoint.failing_since = True, None, None


def disable(session: Session, endpoint: WebhookEndpoint, note: str) -> None:
    """Turn an endpoint off with a note for staff; its waiting deliveries are given up."""
    endpoint.enabled, endpoint.disabled_note = False, note[:300]
    session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == PENDING)
        .values(state=FAILED)
    )


def remove(session: Session, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)


def get(session: Session, endpoint_id: int) -> WebhookEndpoint | None:
    """The endpoint with this id, or None."""
    return session.get(WebhookEndpoint, endpoint_id)


def all_endpoints(session: Session) -> list[WebhookEndpoint]:
    """Every endpoint, oldest first."""
    return list(session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def log(session: Session, endpoint_id: int, limit: int = MAX_LOG) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    return list(
        session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def resend(
    session: Session, endpoint: WebhookEndpoint, delivery_id: int, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """Send a delivery of this endpoint again at the next run (same webhook-id); None if the
    endpoint has no such delivery. A disabled endpoint's delivery waits until it is enabled."""
    delivery = session.scalar(
        sa.select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id
        )
    )
    if delivery is None:
        return None
    now = now or utcnow()
    delivery.state = PENDING
    delivery.next_attempt_at = now
    delivery.gives_up_at = now + RETRY_FOR  # a resend gets its own days of retries
    return delivery


def prune(session: Session, before: dt.datetime) -> int:
    """Delete deliveries finished (delivered or given up) before `before`; how many."""
    result = session.execute(
        sa.delete(WebhookDelivery).where(
            WebhookDelivery.state != PENDING,
            sa.func.coalesce(WebhookDelivery.last_attempt_at, WebhookDelivery.created_at) < before,
        )
    )
    return result.rowcount
