"""Recording events: one outbox row per subscribed endpoint, in the caller's transaction.

The row is added to the session of the change that caused the event and committed (or rolled
back) with it: no event is lost after a commit, and none is sent for a change that never
happened (ADR 1701). deliver_due sends the rows later.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..dialects import insert_ignore
from ..models import ENDED as ENDED_STATUS
from ..models import (
    WEBHOOK_EVENTS,
    Campaign,
    CampaignMark,
    Pledge,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from ..models.webhooks import RETRY_FOR
from ..periods import iso_utc

# Milestones announced by campaign.milestone: percent of the target.
MILESTONES = (25, 50, 75, 100)
ENDED = "ended"


def new_event_id() -> str:
    """A `webhook-id`: "msg_" and 128 random bits, the same on every attempt."""
    return "msg_" + secrets.token_urlsafe(16)


def emit(session: Session, event_type: str, data: dict, now: dt.datetime | None = None) -> str:
    """Queue the event for every live endpoint that takes it; returns its id. Caller commits.

    The body follows the Standard Webhooks shape: {type, timestamp, data}.
    """
    if event_type not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event_type!r}")
    now = now or utcnow()
    event_id = new_event_id()
    endpoints = session.scalars(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))
    ).all()
    body = json.dumps(
        {"type": event_type, "timestamp": iso_utc(now), "data": data},
        separators=(",", ":"),
        sort_keys=True,
    )
    for endpoint in endpoints:
        if event_type in endpoint.event_set:
            session.add(
                WebhookDelivery(
                    event_id=event_id,
                    endpoint_id=endpoint.id,
                    event_type=event_type,
                    payload=body,
                    created_at=now,
                    next_attempt_at=now,
                    gives_up_at=now + RETRY_FOR,
                )
            )
    return event_id


def mark_once(session: Session, campaign_id: int, mark: str, now: dt.datetime) -> bool:
    """Note that a campaign reached a milestone or its end; True only the first time ever."""
    inserted = insert_ignore(
        session,
        CampaignMark,
        {"campaign_id": campaign_id, "mark": mark, "reached_at": now},
        returning=CampaignMark.mark,
    ).first()
    return inserted is not None


def reached_milestones(raised_minor: int, target_minor: int) -> list[int]:
    """The milestones a total has reached (none without a target)."""
    if target_minor <= 0:
        return []
    return [m for m in MILESTONES if raised_minor * 100 >= target_minor * m]


def campaign_ended(session: Session, campaign: Campaign, now: dt.datetime, reason: str) -> bool:
    """Queue campaign.ended the first time the campaign ends (its status, or its end date
    passing); True if queued now. Caller commits."""
    if not mark_once(session, campaign.id, ENDED, now):
        return False
    raised = int(  # PostgreSQL sums bigints as numeric (a Decimal)
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Pledge.amount_minor), 0)).where(
                Pledge.campaign_id == campaign.id, Pledge.counted
            )
        )
    )
    emit(
        session,
        "campaign.ended",
        {
            "campaign": {"id": campaign.id, "slug": campaign.slug},
            "reason": reason,  # "status": staff ended it; "ends_at": its end date passed
            "ends_at": iso_utc(campaign.ends_at) if campaign.ends_at else None,
            "raised_minor": raised,
            "target_minor": campaign.target_minor,
            "currency": campaign.currency,
        },
        now,
    )
    return True


def end_due(session: Session, now: dt.datetime) -> int:
    """Queue campaign.ended for campaigns ended by status or date and not yet announced."""
    marked = sa.select(CampaignMark.campaign_id).where(CampaignMark.mark == ENDED)
    due = session.scalars(
        sa.select(Campaign)
        .where(
            sa.or_(Campaign.status == ENDED_STATUS, Campaign.ends_at <= now),
            Campaign.id.not_in(marked),
        )
        .order_by(Campaign.id)
    ).all()
    return sum(
        campaign_ended(session, c, now, "status" if c.status == ENDED_STATUS else "ends_at")
        for c in due
    )
