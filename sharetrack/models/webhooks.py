"""Outbound webhooks: endpoints staff register, the outbox of deliveries, milestones sent."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import BigId, utcnow

# Every event an endpoint may take (docs/webhooks.md describes each payload).
WEBHOOK_EVENTS = (
    "pledge.counted",
    "pledge.refunded",
    "pledge.awaiting",
    "share.created",
    "campaign.milestone",
    "campaign.ended",
)
MAX_WEBHOOK_URL = 2048
# A delivery's state: waiting to be sent (again), answered 2xx, or given up.
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
DELIVERY_STATES = (PENDING, DELIVERED, FAILED)
# A delivery is retried this long; an endpoint failing this long is disabled.
RETRY_FOR = dt.timedelta(days=3)


class WebhookEndpoint(db.Model):
    """A receiver staff registered: its URL, the events it takes and its signing secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(MAX_WEBHOOK_URL))
    # Space-separated WEBHOOK_EVENTS.
    events: Mapped[str] = mapped_column(sa.String(200))
    # "whsec_" + base64 of 24 random bytes; shown once, kept to sign (ADR 1701).
    secret: Mapped[str] = mapped_column(sa.String(64))
    # After a rotation the old secret also signs until previous_until, so receivers can switch.
    previous_secret: Mapped[str | None] = mapped_column(sa.String(64))
    previous_until: Mapped[dt.datetime | None] = mapped_column()
    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Since when every attempt failed (None: the last one succeeded); 3 days of it disables.
    failing_since: Mapped[dt.datetime | None] = mapped_column()
    disabled_note: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def event_set(self) -> frozenset[str]:
        """The events it takes, as a set."""
        return frozenset(self.events.split())


class WebhookDelivery(db.Model):
    """One event for one endpoint: the transactional outbox row and its delivery log.

    Written in the transaction of the change that caused the event, so a rolled-back change
    leaves none, and a committed one always has its row for deliver_due to send.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "endpoint_id"),
        sa.CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="state_known"),
        # deliver_due's query: pending rows by when they are due.
        sa.Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The `webhook-id` header: the same on every attempt, the receiver's idempotency key.
    event_id: Mapped[str] = mapped_column(sa.String(40))
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # No retry after this (created_at + RETRY_FOR; a Resend moves it).
    gives_up_at: Mapped[dt.datetime] = mapped_column(default=lambda: utcnow() + RETRY_FOR)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column()
    last_status: Mapped[int | None] = mapped_column()  # the HTTP status; None: no answer
    # The first 1 KB of the answer, or why there was none (timeout, refused, closed).
    last_response: Mapped[str | None] = mapped_column(sa.String(1100))


class CampaignMark(db.Model):
    """A milestone (25, 50, 75, 100 % of the target) or the end a campaign reached: each is
    announced once, whatever the total does after."""

    __tablename__ = "campaign_marks"

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    mark: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # "25".."100", "ended"
    reached_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
