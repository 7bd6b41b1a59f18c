"""The aggregates a report reads about clicks, shares and promoters, as set-based SQL.

Pledges, credit and cascades are reports/credits.py's.

Click figures are read only through `_click_sources`: closed days from the click_days
aggregate, the days since from raw clicks added up as a fold would (tracking/rollup.py:
unique visits are distinct visitor hashes per share and day), so every report (channels,
promoters, days, shares) reads the same figures before and after a day is folded, and after
a retention job deletes raw clicks of folded days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import dialects
from ..models import (
    Click,
    ClickChannelDay,
    ClickDay,
    Promoter,
    Share,
)
from ..periods import ALL_TIME, Period, day_of
from ..tracking import rollup


@dataclass
class Counts:
    """Click figures: people (clicks, unique_clicks) and machines (bot_clicks)."""

    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    # Human visits through a printed code; read only when asked for (scans=True).
    scans: int = 0
    unique_scans: int = 0


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
    sqlite = dialects.is_sqlite(session)
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
            k = day_of(k) if key == "day" else k
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
