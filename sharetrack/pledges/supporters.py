"""What the public may read about a campaign's supporters: recent support, one's thank-you page.

"Recent support" shows counted pledges only (Pledge.counted: an unconfirmed form pledge is
anyone's claim), each as its amount and when; a name only where the supporter ticked "show my
name". Nothing else about a supporter leaves here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Pledge, PledgeTouch
from .counting import counted_pledges

RECENT_SUPPORT = 5  # pledges under "Recent support"


@dataclass(frozen=True)
class Support:
    """One recent pledge as the public sees it."""

    amount_minor: int
    currency: str
    at: dt.datetime
    name: str | None  # only when the supporter chose to be named


def recent(session: Session, campaign_id: int, limit: int = RECENT_SUPPORT) -> list[Support]:
    """The campaign's latest counted pledges, newest first."""
    query = (
        counted_pledges(campaign_id)
        .order_by(Pledge.pledged_at.desc(), Pledge.id.desc())
        .limit(limit)
    )
    return [
        Support(
            p.amount_minor,
            p.currency,
            p.pledged_at,
            p.supporter_name if p.show_name and p.supporter_name else None,
        )
        for p in session.scalars(query)
    ]


@dataclass(frozen=True)
class Thanks:
    """What a supporter's thank-you page says: the amount, whether paid, the link they came by."""

    amount_minor: int
    currency: str
    paid: bool  # counted: paid through a platform or confirmed by staff
    live: bool  # not cancelled or refunded
    ref_share_id: int | None  # the share the pledge came through, latest first


def thanks(session: Session, campaign_id: int, pledge_id: int) -> Thanks | None:
    """The thank-you page of a pledge of this campaign, or None (no such pledge here)."""
    pledge = session.get(Pledge, pledge_id)
    if pledge is None or pledge.campaign_id != campaign_id:
        return None
    # A bare `ref` (at NULL) arrived at the moment of the pledge: the latest of all.
    ref = session.scalar(
        sa.select(PledgeTouch.share_id)
        .where(PledgeTouch.pledge_id == pledge.id)
        .order_by(sa.func.coalesce(PledgeTouch.at, pledge.pledged_at).desc(), PledgeTouch.id.desc())
        .limit(1)
    )
    return Thanks(pledge.amount_minor, pledge.currency, pledge.counted, pledge.live, ref)
