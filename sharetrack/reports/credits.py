"""Pledges, credit and cascades a report reads, as set-based SQL, and the per-share figures.

Money is read from pledge_credits (see docs/adr/0301-stored-credits-per-model.md): one row per
counted pledge, model and credited share. Pledges themselves are read through `Pledge.counted`
(verified and live; docs/adr/0304-only-verified-pledges-count.md), never by status alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import dialects
from ..attribution.cascades import MAX_CASCADE_DEPTH
from ..models import PledgeCredit, Share
from ..periods import ALL_TIME, Period
from ..pledges.counting import Credited
from .queries import Counts, clicks_by


@dataclass
class ShareFigures:
    """Everything known about one share in a period, under one model."""

    share_id: int
    channel: str
    promoter_id: int | None
    parent_id: int | None
    created_at: dt.datetime
    counts: Counts = field(default_factory=Counts)
    pledges: int = 0
    direct_minor: int = 0
    indirect_minor: int = 0
    children: int = 0


# --- pledges and credit -------------------------------------------------------------------


def _credits(campaign_id: int, model: str, period: Period):
    return sa.select(PledgeCredit).where(
        PledgeCredit.campaign_id == campaign_id,
        PledgeCredit.model == model,
        *period.where(PledgeCredit.pledged_at),
    )


def credit_totals(
    session: Session, campaign_id: int, model: str, period: Period = ALL_TIME
) -> Credited:
    """Attributed pledges and money under `model`."""
    credits = _credits(campaign_id, model, period).subquery()
    count, total = session.execute(
        sa.select(
            sa.func.count(sa.distinct(credits.c.pledge_id)),
            sa.func.coalesce(sa.func.sum(credits.c.amount_minor), 0),
        )
    ).one()
    return Credited(int(count), int(total))


def credits_by(
    session: Session,
    campaign_id: int,
    model: str,
    by: str,
    period: Period = ALL_TIME,
    where=(),
    top: int | None = None,
) -> dict:
    """Direct credit per share_id, channel, promoter_id or day under `model`.

    `pledges` counts distinct pledges, so a pledge crediting two of a promoter's shares
    counts once for the promoter. `top` keeps only the best earning keys.
    """
    credits = _credits(campaign_id, model, period).subquery()
    if by == "day":
        column = dialects.date_of(credits.c.pledged_at)
        query = sa.select(column).select_from(credits)
    elif by == "share_id":
        column = credits.c.share_id
        query = sa.select(column)
    else:
        column = {"channel": Share.channel, "promoter_id": Share.promoter_id}[by]
        query = sa.select(column).select_from(credits).join(Share, Share.id == credits.c.share_id)
    total = sa.func.sum(credits.c.amount_minor)
    query = (
        query.add_columns(sa.func.count(sa.distinct(credits.c.pledge_id)), total)
        .where(*where)
        .group_by(column)
    )
    if top is not None:
        query = query.where(column.is_not(None)).order_by(total.desc(), column).limit(top)
    rows = session.execute(query)
    return {k: Credited(int(n), int(total)) for k, n, total in rows}


def _ancestry(campaign_id: int, model: str, period: Period):
    """(credited, up): credit per share, and (descendant, ancestor) pairs above credited shares."""
    credits = _credits(campaign_id, model, period).subquery()
    credited = (
        sa.select(credits.c.share_id, sa.func.sum(credits.c.amount_minor).label("amount"))
        .group_by(credits.c.share_id)
        .cte("credited")
    )
    start = (
        sa.select(
            Share.id.label("descendant"),
            Share.parent_id.label("ancestor"),
            sa.literal(1).label("depth"),
        )
        .join(credited, credited.c.share_id == Share.id)
        .where(Share.parent_id.is_not(None))
        .cte("up", recursive=True)
    )
    step = sa.orm.aliased(Share)
    up = start.union_all(
        sa.select(start.c.descendant, step.parent_id, start.c.depth + 1)
        .join(step, step.id == start.c.ancestor)
        .where(step.parent_id.is_not(None), start.c.depth < MAX_CASCADE_DEPTH)
    )
    return credited, up


def indirect_by_channel(
    session: Session, campaign_id: int, model: str, period: Period = ALL_TIME
) -> dict[str, int]:
    """Credit of shares descending from a channel's shares, each descendant counted once."""
    credited, up = _ancestry(campaign_id, model, period)
    ancestor = sa.orm.aliased(Share)
    pairs = (
        sa.select(up.c.descendant, ancestor.channel)
        .join(ancestor, ancestor.id == up.c.ancestor)
        .distinct()
        .subquery()
    )
    return _descendants_credit(session, credited, pairs, pairs.c.channel)


def indirect_by_share(
    session: Session, campaign_id: int, model: str, period: Period = ALL_TIME
) -> dict[int, int]:
    """Credit of every share's descendants (children, their children, …), per share."""
    credited, up = _ancestry(campaign_id, model, period)
    pairs = sa.select(up.c.descendant, up.c.ancestor).distinct().subquery()
    return _descendants_credit(session, credited, pairs, pairs.c.ancestor)


def _descendants_credit(session: Session, credited, pairs, key) -> dict:
    """The credit of each pair's descendant, summed by `key` (an ancestor's id or channel)."""
    rows = session.execute(
        sa.select(key, sa.func.sum(credited.c.amount))
        .join(credited, credited.c.share_id == pairs.c.descendant)
        .group_by(key)
    )
    return {k: int(total) for k, total in rows}


# --- per share ----------------------------------------------------------------------------


def share_figures(
    session: Session,
    campaign_id: int,
    model: str,
    period: Period = ALL_TIME,
    *,
    channel: str | None = None,
    share_ids: Iterable[int] | None = None,
) -> dict[int, ShareFigures]:
    """Per share: clicks, pledges, direct and indirect credit, child shares.

    For the per-share estimate (credit and age), the leaflet table (channel='leaflet') and the
    promoter's page (share_ids). Shares are listed whenever they were made; figures are the
    period's.
    """
    share_ids = list(share_ids) if share_ids is not None else None
    extra = []
    if channel is not None:
        extra.append(Share.channel == channel)
    if share_ids is not None:
        extra.append(Share.id.in_(share_ids))
    rows = session.execute(
        sa.select(Share.id, Share.channel, Share.promoter_id, Share.parent_id, Share.created_at)
        .where(Share.campaign_id == campaign_id, *extra)
        .order_by(Share.id)
    )
    out = {row[0]: ShareFigures(*row) for row in rows}
    if not out:
        return out
    filters = {"channel": channel, "share_ids": share_ids}
    for share_id, counts in clicks_by(session, campaign_id, "share_id", period, **filters).items():
        if share_id in out:
            out[share_id].counts = counts
    for share_id, money in credits_by(session, campaign_id, model, "share_id", period).items():
        if share_id in out:
            out[share_id].pledges, out[share_id].direct_minor = money.pledges, money.amount_minor
    for share_id, amount in indirect_by_share(session, campaign_id, model, period).items():
        if share_id in out:
            out[share_id].indirect_minor = amount
    children = session.execute(
        sa.select(Share.parent_id, sa.func.count())
        .where(Share.campaign_id == campaign_id, Share.parent_id.is_not(None))
        .where(*period.where(Share.created_at))
        .group_by(Share.parent_id)
    )
    for parent_id, n in children:
        if parent_id in out:
            out[parent_id].children = n
    return out
