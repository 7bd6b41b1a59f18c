"""Staff moderation: listing a campaign's pledges, confirming or voiding one, with a trail.

Confirming a pledge makes it verified and paid, so it counts and gets its credit under every
model at once (attribution.engine); voiding cancels it and its credit goes. Each change leaves
a PledgeReview row: who, when, from what to what.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..attribution import engine
from ..campaigns.service import committed_currency
from ..models import CANCELLED, PAID, REFUNDED, Campaign, Pledge, PledgeReview, utcnow
from . import events

DECISIONS = (PAID, CANCELLED)
MAX_LIMIT = 200


class ReviewRefused(ValueError):
    """A decision the pledge cannot take (a refunded pledge stays refunded)."""

    slug = "pledge-refunded"


class CurrencyChanged(ReviewRefused):
    """A form pledge made before the campaign changed currency cannot be confirmed."""

    slug = "pledge-currency"


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; None means any."""

    status: str | None = None
    source: str | None = None
    confirmed: bool | None = None

    def where(self) -> list:
        """The conditions of these filters."""
        out = []
        if self.status is not None:
            out.append(Pledge.status == self.status)
        if self.source is not None:
            out.append(Pledge.source == self.source)
        if self.confirmed is not None:
            out.append(Pledge.verified.is_(self.confirmed))
        return out


def page(
    session: Session, campaign: Campaign, filters: Filters, limit: int, before: int | None
) -> tuple[list[Pledge], int | None]:
    """Pledges newest first, `limit` of them from below id `before`; (rows, next cursor)."""
    query = sa.select(Pledge).where(Pledge.campaign_id == campaign.id, *filters.where())
    if before is not None:
        query = query.where(Pledge.id < before)
    rows = list(session.scalars(query.order_by(Pledge.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def one(session: Session, campaign: Campaign, pledge_id: int) -> Pledge | None:
    """A pledge of this campaign (never another campaign's), locked for a change."""
    return session.scalar(
        sa.select(Pledge)
        .where(Pledge.id == pledge_id, Pledge.campaign_id == campaign.id)
        .with_for_update()
    )


def decide(
    session: Session, campaign: Campaign, pledge: Pledge, status: str, actor: str
) -> PledgeReview | None:
    """Confirm (paid) or void (cancelled) a pledge; None when it already was so. Caller commits.

    The decision takes the newest place in the pledge's history (occurred_at now), so an older
    platform delivery arriving later does not undo it; a newer one (a refund) still wins.
    """
    if status not in DECISIONS:
        raise ReviewRefused(f"a pledge can be set to {' or '.join(DECISIONS)} only")
    if pledge.status == REFUNDED:
        raise ReviewRefused("the money of this pledge went back: it stays refunded")
    if status == PAID and pledge.currency != (currency := committed_currency(session, campaign)):
        raise CurrencyChanged(
            f"this pledge is in {pledge.currency} and the campaign now counts {currency}: "
            "it cannot be confirmed; void it"
        )
    verified = pledge.verified or status == PAID
    if pledge.status == status and pledge.verified == verified:
        return None
    now = utcnow()
    review = PledgeReview(
        pledge_id=pledge.id,
        campaign_id=campaign.id,
        at=now,
        actor=actor[:300],
        from_status=pledge.status,
        to_status=status,
        from_verified=pledge.verified,
        to_verified=verified,
    )
    session.add(review)
    before = events.was(pledge)
    pledge.status = status
    pledge.verified = verified
    pledge.occurred_at = max(now, pledge.occurred_at)
    pledge.updated_at = now
    session.flush()
    engine.recompute_pledge(session, pledge, campaign.window_days)
    events.announce(session, campaign, pledge, before)
    return review


def unconfirmed(session: Session, campaign: Campaign, limit: int = 50) -> list[Pledge]:
    """Live pledges nobody vouched for yet, oldest first: the staff page's queue."""
    return list(
        session.scalars(
            sa.select(Pledge)
            .where(Pledge.campaign_id == campaign.id, Pledge.unconfirmed)
            .order_by(Pledge.id)
            .limit(limit)
        )
    )


def trail(session: Session, campaign: Campaign, limit: int = 50) -> list[tuple[PledgeReview, str]]:
    """The campaign's latest reviews, newest first, each with its pledge's external id."""
    rows = session.execute(
        sa.select(PledgeReview, Pledge.external_id)
        .join(Pledge, Pledge.id == PledgeReview.pledge_id)
        .where(PledgeReview.campaign_id == campaign.id)
        .order_by(PledgeReview.at.desc(), PledgeReview.id.desc())
        .limit(limit)
    ).all()
    return [(review, external_id) for review, external_id in rows]
