"""The shared readers of counted money for other packages (the estimator above all).

What counts is one rule, `Pledge.counted` (verified and live; docs/adr/0304); stored credits
exist only for counted pledges (attribution.engine is the gate). These selects are the way
other packages read that money, so none of them re-derives the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Campaign, Pledge, PledgeCredit
from ..periods import ALL_TIME, Period, day_of


@dataclass
class Credited:
    """Credited money and the number of distinct pledges behind it."""

    pledges: int = 0
    amount_minor: int = 0


def credits_under_campaign_models() -> sa.Select:
    """(share_id, pledged_at, amount_minor, pledge_id) of every counted credit, all campaigns,
    each under its campaign's own attribution model: what the per-share estimate learns from."""
    return sa.select(
        PledgeCredit.share_id,
        PledgeCredit.pledged_at,
        PledgeCredit.amount_minor,
        PledgeCredit.pledge_id,
    ).join(
        Campaign,
        sa.and_(
            Campaign.id == PledgeCredit.campaign_id,
            Campaign.attribution_model == PledgeCredit.model,
        ),
    )


def pledge_totals(
    session: Session, campaign_id: int, period: Period = ALL_TIME, *, unconfirmed: bool = False
) -> Credited:
    """Counted pledges (verified and live) made in the period, and the money they raised.

    With `unconfirmed`, the live pledges nobody vouched for yet instead (form pledges awaiting
    payment or staff): shown apart, never added to what was raised.
    """
    which = [Pledge.unconfirmed] if unconfirmed else [Pledge.counted]
    if unconfirmed:  # a form pledge left in the campaign's earlier currency is not added in
        currency = sa.select(Campaign.currency).where(Campaign.id == campaign_id)
        which.append(Pledge.currency == currency.scalar_subquery())
    count, total = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Pledge.amount_minor), 0)).where(
            Pledge.campaign_id == campaign_id, *which, *period.where(Pledge.pledged_at)
        )
    ).one()
    return Credited(int(count), int(total))


def pledges_by_day(
    session: Session, campaign_id: int, period: Period = ALL_TIME
) -> dict[dt.date, Credited]:
    """Counted pledges and money raised per day the pledges were made."""
    day = sa.func.date(Pledge.pledged_at)
    rows = session.execute(
        sa.select(day, sa.func.count(), sa.func.sum(Pledge.amount_minor))
        .where(Pledge.campaign_id == campaign_id, Pledge.counted, *period.where(Pledge.pledged_at))
        .group_by(day)
    )
    return {day_of(d): Credited(int(n), int(total)) for d, n, total in rows}


def counted_pledges(campaign_id: int | None = None) -> sa.Select:
    """Counted pledges (all columns), of one campaign or all: for readers of pledges
    themselves rather than their credits (recent support)."""
    query = sa.select(Pledge).where(Pledge.counted)
    if campaign_id is not None:
        query = query.where(Pledge.campaign_id == campaign_id)
    return query
