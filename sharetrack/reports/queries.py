"""Every aggregate a report reads, as set-based SQL: clicks, pledges, credits and cascades.

Click figures are read only through `_click_sources`: closed days from the click_days
aggregate, the days since from raw clicks added up as a fold would (tracking/rollup.py:
unique visits are distinct visitor hashes per share and day), so every report (channels,
promoters, days, shares) reads the same figures before and after a day is folded, and after
a retention job deletes raw clicks of folded days.

Money is read from pledge_credits (see docs/adr/0301-stored-credits-per-model.md): one row per
live pledge, model and credited share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    LIVE_STATUSES,
    Click,
    ClickChannelDay,
    ClickDay,
    Pledge,
    PledgeCredit,
    Promoter,
    Share,
)
from ..tracking import rollup

# Indirect credit follows cascades this many levels up; deeper chains stop counting there.
MAX_CASCADE_DEPTH = 64


@dataclass(frozen=True)
class Period:
    """A half-open time range [since, until); either end may be open."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def where(self, column) -> list:
        """Conditions keeping `column` inside the period."""
        out = []
        if self.since is not None:
            out.append(column >= self.since)
        if self.until is not None:
            out.append(column < self.until)
        return out


ALL_TIME = Period()


@dataclass
class Counts:
    """Click figures: people (clicks, unique_clicks) and machines (bot_clicks)."""

    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    # Human visits through a printed code; read only when asked for (scans=True).
    scans: int = 0
    unique_scans: int = 0


@dataclass
class Money:
    """Credited money and the number of distinct pledges behind it."""

    pledges: int = 0
    amount_minor: int = 0


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


def _day(value) -> dt.date:
    """A date from date() on either engine (SQLite answers text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# --- clicks -------------------------------------------------------------------------------


def _click_sources(
    campaign_id: int,
    period: Period,
    folded_before: dt.date | None,
    *,
    channel: str | None = None,
    share_ids: list[int] | None = None,
    promoter_ids: list[int] | None = None,
    by: str = "",
    sqlite: bool = False,
    scans: bool = False,
) -> list:
    """The selects whose rows add up to the campaign's click figures: the only place clicks
    are read. Days before `folded_before` come from the aggregates (click_channel_days, or
    click_days when shares or promoters matter), later ones from raw clicks, so a day reads
    the same before and after it is folded (tracking/rollup.py).

    Every select has the columns share_id, channel, promoter_id, day, clicks (people),
    unique_clicks and bot_clicks (share_id and promoter_id are filled when `by` or a filter
    needs them), then scans and unique_scans if `scans`. Folded days have day resolution: a
    period cuts them at whole days.
    """
    sources = []
    join = by == "promoter_id" or promoter_ids is not None
    per_share = join or by == "share_id" or share_ids is not None
    if folded_before is not None and not per_share:
        # Channels, days and totals: the per-channel aggregate has a few rows per day.
        folded = sa.select(
            sa.null().label("share_id"),
            ClickChannelDay.channel.label("channel"),
            sa.null().label("promoter_id"),
            ClickChannelDay.day.label("day"),
            ClickChannelDay.clicks.label("clicks"),
            ClickChannelDay.unique_clicks.label("unique_clicks"),
            ClickChannelDay.bot_clicks.label("bot_clicks"),
            *([ClickChannelDay.scans, ClickChannelDay.unique_scans] if scans else []),
        ).where(ClickChannelDay.campaign_id == campaign_id, ClickChannelDay.day < folded_before)
        if period.since is not None:
            folded = folded.where(ClickChannelDay.day >= period.since.date())
        if period.until is not None:
            folded = folded.where(ClickChannelDay.day < period.until.date())
        if channel is not None:
            folded = folded.where(ClickChannelDay.channel == channel)
        sources.append(folded)
    elif folded_before is not None:
        folded = sa.select(
            ClickDay.share_id.label("share_id"),
            ClickDay.channel.label("channel"),
            (Share.promoter_id if join else sa.null()).label("promoter_id"),
            ClickDay.day.label("day"),
            ClickDay.clicks.label("clicks"),
            ClickDay.unique_clicks.label("unique_clicks"),
            ClickDay.bot_clicks.label("bot_clicks"),
            *([ClickDay.scans, ClickDay.unique_scans] if scans else []),
        ).where(ClickDay.campaign_id == campaign_id, ClickDay.day < folded_before)
        if join:
            folded = folded.join(Share, Share.id == ClickDay.share_id)
        if period.since is not None:
            folded = folded.where(ClickDay.day >= period.since.date())
        if period.until is not None:
            folded = folded.where(ClickDay.day < period.until.date())
        if channel is not None:
            folded = folded.where(ClickDay.channel == channel)
        if share_ids is not None:
            folded = folded.where(ClickDay.share_id.in_(share_ids))
        if promoter_ids is not None:
            # Few promoters: find their shares first, then those shares' days by key.
            folded = folded.where(
                ClickDay.share_id.in_(
                    sa.select(Share.id).where(
                        Share.campaign_id == campaign_id, Share.promoter_id.in_(promoter_ids)
                    )
                )
            )
        sources.append(folded)
    # Open days: the same figures a fold makes (rollup.day_figures), per share and day.
    figures = rollup.day_figures()
    raw = (
        sa.select(
            Click.share_id.label("share_id"),
            Share.channel.label("channel"),
            Share.promoter_id.label("promoter_id"),
            Click.day.label("day"),
            *figures[:3],
            *(figures[3:] if scans else []),
        )
        .join(Share, Share.id == Click.share_id)
        .where(*period.where(Click.at))
        .group_by(Click.share_id, Click.day, Share.channel, Share.promoter_id)
    )
    if folded_before is not None:
        raw = raw.where(Click.at >= dt.datetime.combine(folded_before, dt.time()))
    if folded_before is not None and sqlite:
        # The unfolded tail is a day or two of clicks: read them by time, then their shares.
        # "+ 0" keeps SQLite (which has no statistics) from walking every share instead.
        raw = raw.where(Share.campaign_id + 0 == campaign_id)
    else:
        raw = raw.where(Share.campaign_id == campaign_id)
    if channel is not None:
        raw = raw.where(Share.channel == channel)
    if share_ids is not None:
        raw = raw.where(Click.share_id.in_(share_ids))
    if promoter_ids is not None:
        raw = raw.where(Share.promoter_id.in_(promoter_ids))
    sources.append(raw)
    return sources


def _click_counts(
    session: Session, campaign_id: int, period: Period, key: str, scans: bool = False, **filters
) -> dict:
    """Click figures grouped by `key` (a source column, or "" for the totals)."""
    folded_before = rollup.watermark(session)
    out: dict = {}
    sqlite = session.get_bind().dialect.name == "sqlite"
    names = ["clicks", "unique_clicks", "bot_clicks"] + (["scans", "unique_scans"] if scans else [])
    for source in _click_sources(
        campaign_id, period, folded_before, by=key, sqlite=sqlite, scans=scans, **filters
    ):
        facts = source.subquery()
        column = facts.c[key] if key else sa.literal(None)
        rows = session.execute(
            sa.select(
                column, *(sa.func.coalesce(sa.func.sum(facts.c[name]), 0) for name in names)
            ).group_by(*([column] if key else []))
        )
        for k, *values in rows:
            k = _day(k) if key == "day" else k
            counts = out.setdefault(k, Counts())
            for name, value in zip(names, values, strict=True):
                setattr(counts, name, getattr(counts, name) + int(value))
    return out


def click_totals(session: Session, campaign_id: int, period: Period = ALL_TIME) -> Counts:
    """The campaign's click figures."""
    return _click_counts(session, campaign_id, period, "").get(None, Counts())


def clicks_by(
    session: Session, campaign_id: int, by: str, period: Period = ALL_TIME, **filters
) -> dict:
    """Click figures per share_id, channel, promoter_id or day.

    Filters: channel=, share_ids=[...], promoter_ids=[...]; scans=True adds scan counts.
    """
    if by not in ("share_id", "channel", "promoter_id", "day"):
        raise ValueError(f"cannot group clicks by {by!r}")
    return _click_counts(session, campaign_id, period, by, **filters)


# --- shares -------------------------------------------------------------------------------


def share_counts(
    session: Session,
    campaign_id: int,
    by: str,
    period: Period = ALL_TIME,
    promoter_ids: list[int] | None = None,
) -> dict:
    """Shares made in the period, per channel or promoter_id."""
    column = {"channel": Share.channel, "promoter_id": Share.promoter_id}[by]
    query = sa.select(column, sa.func.count()).where(
        Share.campaign_id == campaign_id, *period.where(Share.created_at)
    )
    if promoter_ids is not None:
        query = query.where(Share.promoter_id.in_(promoter_ids))
    rows = session.execute(query.group_by(column))
    return {key: n for key, n in rows}


def child_counts_by_channel(
    session: Session, campaign_id: int, period: Period = ALL_TIME
) -> dict[str, int]:
    """Child shares made in the period, per channel of their parent: the cascade's breadth."""
    parent = sa.orm.aliased(Share)
    rows = session.execute(
        sa.select(parent.channel, sa.func.count())
        .select_from(Share)
        .join(parent, parent.id == Share.parent_id)
        .where(Share.campaign_id == campaign_id, *period.where(Share.created_at))
        .group_by(parent.channel)
    )
    return {channel: n for channel, n in rows}


# --- pledges and credit -------------------------------------------------------------------


def pledge_totals(session: Session, campaign_id: int, period: Period = ALL_TIME) -> Money:
    """Live pledges (pledged or paid) made in the period, and the money they raised."""
    count, total = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Pledge.amount_minor), 0)).where(
            Pledge.campaign_id == campaign_id,
            Pledge.status.in_(LIVE_STATUSES),
            *period.where(Pledge.pledged_at),
        )
    ).one()
    return Money(int(count), int(total))


def pledges_by_day(
    session: Session, campaign_id: int, period: Period = ALL_TIME
) -> dict[dt.date, Money]:
    """Live pledges and money raised per day the pledges were made."""
    day = sa.func.date(Pledge.pledged_at)
    rows = session.execute(
        sa.select(day, sa.func.count(), sa.func.sum(Pledge.amount_minor))
        .where(
            Pledge.campaign_id == campaign_id,
            Pledge.status.in_(LIVE_STATUSES),
            *period.where(Pledge.pledged_at),
        )
        .group_by(day)
    )
    return {_day(d): Money(int(n), int(total)) for d, n, total in rows}


def _credits(campaign_id: int, model: str, period: Period):
    return sa.select(PledgeCredit).where(
        PledgeCredit.campaign_id == campaign_id,
        PledgeCredit.model == model,
        *period.where(PledgeCredit.pledged_at),
    )


def credit_totals(
    session: Session, campaign_id: int, model: str, period: Period = ALL_TIME
) -> Money:
    """Attributed pledges and money under `model`."""
    credits = _credits(campaign_id, model, period).subquery()
    count, total = session.execute(
        sa.select(
            sa.func.count(sa.distinct(credits.c.pledge_id)),
            sa.func.coalesce(sa.func.sum(credits.c.amount_minor), 0),
        )
    ).one()
    return Money(int(count), int(total))


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
        column = sa.func.date(credits.c.pledged_at)
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
    if by == "day":
        return {_day(k): Money(int(n), int(total)) for k, n, total in rows}
    return {k: Money(int(n), int(total)) for k, n, total in rows}


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
    rows = session.execute(
        sa.select(pairs.c.channel, sa.func.sum(credited.c.amount))
        .join(credited, credited.c.share_id == pairs.c.descendant)
        .group_by(pairs.c.channel)
    )
    return {channel: int(total) for channel, total in rows}


def indirect_by_share(
    session: Session, campaign_id: int, model: str, period: Period = ALL_TIME
) -> dict[int, int]:
    """Credit of every share's descendants (children, their children, …), per share."""
    credited, up = _ancestry(campaign_id, model, period)
    pairs = sa.select(up.c.descendant, up.c.ancestor).distinct().subquery()
    rows = session.execute(
        sa.select(pairs.c.ancestor, sa.func.sum(credited.c.amount))
        .join(credited, credited.c.share_id == pairs.c.descendant)
        .group_by(pairs.c.ancestor)
    )
    return {share_id: int(total) for share_id, total in rows}


# --- promoters ----------------------------------------------------------------------------


def promoters(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """(code, display name) per promoter id."""
    ids = list(ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Promoter.id, Promoter.code, Promoter.display_name).where(Promoter.id.in_(ids))
    )
    return {pid: (code, name) for pid, code, name in rows}


def top_promoters_by_clicks(
    session: Session, campaign_id: int, limit: int, period: Period = ALL_TIME
) -> list[int]:
    """The promoters whose shares drew the most human clicks."""
    counts = clicks_by(session, campaign_id, "promoter_id", period)
    counts.pop(None, None)
    return sorted(counts, key=lambda pid: (-counts[pid].clicks, pid))[:limit]


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


def credit_events(
    session: Session, campaign_id: int, model: str, period: Period = ALL_TIME
) -> list[tuple[int, str, dt.datetime, dt.datetime, int]]:
    """(share id, channel, share made at, pledge made at, credit): when money reached shares."""
    credits = _credits(campaign_id, model, period).subquery()
    rows = session.execute(
        sa.select(
            credits.c.share_id,
            Share.channel,
            Share.created_at,
            credits.c.pledged_at,
            credits.c.amount_minor,
        )
        .join(Share, Share.id == credits.c.share_id)
        .order_by(credits.c.pledged_at, credits.c.share_id)
    )
    return [tuple(row) for row in rows]
