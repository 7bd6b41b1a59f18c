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


FIGURES = ("clicks", "unique_clicks", "bot_clicks")
SCAN_FIGURES = ("scans", "unique_scans")


@dataclass(frozen=True)
class _Which:
    """Which clicks a report reads: a campaign's, in a period, optionally of one channel, of
    some shares or of some promoters."""

    campaign_id: int
    period: Period
    channel: str | None = None
    share_ids: list[int] | None = None
    promoter_ids: list[int] | None = None


def _click_sources(session: Session, which: _Which, by: str, figures: tuple[str, ...]) -> list:
    """The selects whose rows add up to the campaign's click figures: the only place clicks
    are read. Days before the watermark come from the aggregates (click_channel_days, or
    click_days when shares or promoters matter), later ones from raw clicks, so a day reads
    the same before and after it is folded (tracking/rollup.py).

    Every select has the columns share_id, channel, promoter_id, day, then `figures` (names
    of FIGURES and SCAN_FIGURES); share_id and promoter_id are filled when `by` or a filter
    needs them. Folded days have day resolution: a period cuts them at whole days.
    """
    folded_before = rollup.watermark(session)
    sources = []
    promoters = by == "promoter_id" or which.promoter_ids is not None
    per_share = promoters or by == "share_id" or which.share_ids is not None
    if folded_before is not None and per_share:
        sources.append(_folded_share_days(which, folded_before, figures, promoters))
    elif folded_before is not None:
        sources.append(_folded_channel_days(which, folded_before, figures))
    sources.append(
        _open_days(which, folded_before, figures, _campaign_of_share(session, folded_before))
    )
    return sources


def _closed_days(day, period: Period, folded_before: dt.date) -> list:
    """Conditions keeping an aggregate's `day` column to folded days inside the period."""
    out = [day < folded_before]
    if period.since is not None:
        out.append(day >= period.since.date())
    if period.until is not None:
        out.append(day < period.until.date())
    return out


def _folded_channel_days(which: _Which, folded_before: dt.date, figures: tuple[str, ...]):
    """Channels, days and totals of folded days: the per-channel aggregate has a few rows per
    day."""
    folded = sa.select(
        sa.null().label("share_id"),
        ClickChannelDay.channel.label("channel"),
        sa.null().label("promoter_id"),
        ClickChannelDay.day.label("day"),
        *(getattr(ClickChannelDay, name).label(name) for name in figures),
    ).where(
        ClickChannelDay.campaign_id == which.campaign_id,
        *_closed_days(ClickChannelDay.day, which.period, folded_before),
    )
    if which.channel is not None:
        folded = folded.where(ClickChannelDay.channel == which.channel)
    return folded


def _folded_share_days(
    which: _Which, folded_before: dt.date, figures: tuple[str, ...], promoters: bool
):
    """Folded days per share; with each share's promoter if `promoters`."""
    folded = sa.select(
        ClickDay.share_id.label("share_id"),
        ClickDay.channel.label("channel"),
        (Share.promoter_id if promoters else sa.null()).label("promoter_id"),
        ClickDay.day.label("day"),
        *(getattr(ClickDay, name).label(name) for name in figures),
    ).where(
        ClickDay.campaign_id == which.campaign_id,
        *_closed_days(ClickDay.day, which.period, folded_before),
    )
    if promoters:
        folded = folded.join(Share, Share.id == ClickDay.share_id)
    if which.channel is not None:
        folded = folded.where(ClickDay.channel == which.channel)
    if which.share_ids is not None:
        folded = folded.where(ClickDay.share_id.in_(which.share_ids))
    if which.promoter_ids is not None:
        # Few promoters: find their shares first, then those shares' days by key.
        folded = folded.where(
            ClickDay.share_id.in_(
                sa.select(Share.id).where(
                    Share.campaign_id == which.campaign_id,
                    Share.promoter_id.in_(which.promoter_ids),
                )
            )
        )
    return folded


def _campaign_of_share(session: Session, folded_before: dt.date | None):
    """Share.campaign_id as the open days' select filters by it."""
    if folded_before is not None and dialects.is_sqlite(session):
        # The unfolded tail is a day or two of clicks: read them by time, then their shares.
        # "+ 0" keeps SQLite (which has no statistics) from walking every share instead.
        return Share.campaign_id + 0
    return Share.campaign_id


def _open_days(which: _Which, folded_before: dt.date | None, figures: tuple[str, ...], campaign):
    """Days not folded yet, from raw clicks: the same figures a fold makes
    (rollup.day_figures), per share and day. `campaign` is Share.campaign_id to filter by."""
    made = {column.name: column for column in rollup.day_figures()}
    raw = (
        sa.select(
            Click.share_id.label("share_id"),
            Share.channel.label("channel"),
            Share.promoter_id.label("promoter_id"),
            Click.day.label("day"),
            *(made[name] for name in figures),
        )
        .join(Share, Share.id == Click.share_id)
        .where(*which.period.where(Click.at), campaign == which.campaign_id)
        .group_by(Click.share_id, Click.day, Share.channel, Share.promoter_id)
    )
    if folded_before is not None:
        raw = raw.where(Click.at >= dt.datetime.combine(folded_before, dt.time()))
    if which.channel is not None:
        raw = raw.where(Share.channel == which.channel)
    if which.share_ids is not None:
        raw = raw.where(Click.share_id.in_(which.share_ids))
    if which.promoter_ids is not None:
        raw = raw.where(Share.promoter_id.in_(which.promoter_ids))
    return raw


def _click_counts(
    session: Session, campaign_id: int, period: Period, key: str, scans: bool = False, **filters
) -> dict:
    """Click figures grouped by `key` (a source column, or "" for the totals)."""
    out: dict = {}
    names = FIGURES + (SCAN_FIGURES if scans else ())
    for source in _click_sources(session, _Which(campaign_id, period, **filters), key, names):
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
