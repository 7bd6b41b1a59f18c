"""Outbound webhook endpoints and their delivery log."""

from __future__ import annotations

from pydantic import Field

from ...models import WebhookDelivery, WebhookEndpoint
from .common import Documented, UtcTime


class WebhookEndpointOut(Documented):
    """An endpoint as listed: never its secret."""

    id: int
    url: str
    events: list[str]
    enabled: bool
    disabled_note: str | None = Field(description="Why it was disabled (3 days of failures)")
    failing_since: UtcTime | None = Field(description="Every delivery failed since then")
    created_at: UtcTime

    @classmethod
    def from_endpoint(cls, row: WebhookEndpoint) -> WebhookEndpointOut:
        return cls(
            id=row.id,
            url=row.url,
            events=row.events.split(),
            enabled=row.enabled,
            disabled_note=row.disabled_note,
            failing_since=row.failing_since,
            created_at=row.created_at,
        )


class WebhookEndpointList(Documented):
    endpoints: list[WebhookEndpointOut]


class WebhookSecret(Documented):
    """An endpoint with its signing secret: shown when made or rotated, never again."""

    endpoint: WebhookEndpointOut
    secret: str = Field(description="whsec_ and base64: verify webhook-signature with it")


class WebhookDeliveryOut(Documented):
    id: int
    event_id: str = Field(description="The webhook-id header: the receiver's idempotency key")
    event_type: str
    state: str = Field(description="pending, delivered or failed")
    attempts: int
    created_at: UtcTime
    next_attempt_at: UtcTime
    last_attempt_at: UtcTime | None
    last_status: int | None = Field(description="The HTTP status of the last answer; null: none")
    last_response: str | None = Field(description="The first 1 KB of it, or why there was none")

    @classmethod
    def from_delivery(cls, row: WebhookDelivery) -> WebhookDeliveryOut:
        return cls(
            id=row.id,
            event_id=row.event_id,
            event_type=row.event_type,
            state=row.state,
            attempts=row.attempts,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            last_attempt_at=row.last_attempt_at,
            last_status=row.last_status,
            last_response=row.last_response,
        )


class WebhookDeliveryList(Documented):
    deliveries: list[WebhookDeliveryOut]
