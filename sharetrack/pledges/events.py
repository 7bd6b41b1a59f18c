"""The webhook events a pledge's change causes: counted, refunded, awaiting; milestones.

`before` is what the pledge was before the change (None: it is new); the events go into the
outbox in the caller's transaction (webhooks.outbox). Payloads carry ids, amounts, the
campaign, the channel and the credit per model; never the supporter's name, nor any address.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import ATTRIBUTION_MODELS, REFUNDED, Campaign, Pledge, PledgeCredit, Share, utcnow
from ..periods import iso_utc
from ..webhooks import outbox


class Was(NamedTuple):
    """What announce() compares: the pledge's standing before a change."""

    counted: bool
    unconfirmed: bool
    status: str
    amount_minor: int


def was(pledge: Pledge) -> Was:
    """The pledge's standing now, to compare after a change."""
    return Was(pledge.counted, pledge.unconfirmed, pledge.status, pledge.amount_minor)


def announce(session: Session, campaign: Campaign, pledge: Pledge, before: Was | None) -> None:
    """Queue the events of a change from `before` to the pledge as it now is."""
    before = before or Was(False, False, "", 0)
    kinds = []
    if pledge.counted and not before.counted:
        kinds.append("pledge.counted")
    if pledge.status == REFUNDED and before.status != REFUNDED:
        kinds.append("pledge.refunded")
    if pledge.unconfirmed and not before.unconfirmed:
        kinds.append("pledge.awaiting")
    now = utcnow()
    if kinds:
        data = payload(session, campaign, pledge)
        for kind in kinds:
            outbox.emit(session, kind, data, now)
    if pledge.counted != before.counted or pledge.amount_minor != before.amount_minor:
        milestones(session, campaign, now)


def payload(session: Session, campaign: Campaign, pledge: Pledge) -> dict:
    """The event's data: nothing personal (no name, no address)."""
    credits: dict[str, list[dict]] = {model: [] for model in ATTRIBUTION_MODELS}
    for model, share_id, channel, amount in session.execute(
        sa.select(
            PledgeCredit.model, PledgeCredit.share_id, Share.channel, PledgeCredit.amount_minor
        )
        .join(Share, Share.id == PledgeCredit.share_id)
        .where(PledgeCredit.pledge_id == pledge.id)
        .order_by(PledgeCredit.model, PledgeCredit.amount_minor.desc(), PledgeCredit.share_id)
    ):
        credits[model].append({"share_id": share_id, "channel": channel, "amount_minor": amount})
    mine = credits[campaign.attribution_model]
    return {
        "pledge": {
            "id": pledge.id,
            "external_id": pledge.external_id,
            "amount_minor": pledge.amount_minor,
            "currency": pledge.currency,
            "status": pledge.status,
            "source": pledge.source,
            "counted": pledge.counted,
            "pledged_at": iso_utc(pledge.pledged_at),
        },
        "campaign": {"id": campaign.id, "slug": campaign.slug},
        # The channel the campaign's own model credits most, if any share led to the pledge.
        "channel": mine[0]["channel"] if mine else None,
        "attribution_model": campaign.attribution_model,
        "credits": credits,
    }


def raised_minor(session: Session, campaign_id: int) -> int:
    """The campaign's counted money (Pledge.counted)."""
    # PostgreSQL sums bigints as numeric (a Decimal): the payload wants an integer.
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Pledge.amount_minor), 0)).where(
                Pledge.campaign_id == campaign_id, Pledge.counted
            )
        )
    )


def milestones(session: Session, campaign: Campaign, now: dt.datetime) -> None:
    """Queue campaign.milestone for each milestone the total reached for the first time."""
    raised = raised_minor(session, campaign.id)
    for percent in outbox.reached_milestones(raised, campaign.target_minor):
        if outbox.mark_once(session, campaign.id, str(percent), now):
            outbox.emit(
                session,
                "campaign.milestone",
                {
                    "campaign": {"id": campaign.id, "slug": campaign.slug},
                    "percent": percent,
                    "raised_minor": raised,
                    "target_minor": campaign.target_minor,
                    "currency": campaign.currency,
                },
                now,
            )
