"""Daily click aggregates: raw clicks of closed days folded into one row per share and day
(click_days), and those added up per campaign, channel and day (click_channel_days).

Reports read the aggregates for days before the watermark (click_rollups.folded_before) and raw
clicks from that day on, so a day reads the same before and after it is folded, and a report
over a million clicks reads a few hundred thousand rows instead (docs/adr/0302-click-days.md).
Raw clicks are never deleted here; retention (tracking/retention.py) deletes old ones of folded
days only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Click, ClickChannelDay, ClickDay, ClickRollup, Share, utcnow
from .visitors import insert_ignore

# A click is stored in the request that counts it; ten minutes after midnight, no click of
# the day before is still on its way.
GRACE = dt.timedelta(minutes=10)
COUNTS = ("clicks", "unique_clicks", "bot_clicks", "scans", "unique_scans")


def closed_before(now: dt.datetime) -> dt.date:
    """The first day that is not closed yet at `now`."""
    return (now - GRACE).date()


def watermark(session: Session) -> dt.date | None:
    """Days before this are folded; None when nothing is."""
    return session.scalar(sa.select(ClickRollup.folded_before).where(ClickRollup.id == 1))


def _lock(session: Session, wait: bool) -> ClickRollup | None:
    """The watermark row, locked for this transaction; None if busy and not waiting."""
    quick = not wait and session.get_bind().dialect.name == "sqlite"
    if quick:  # SQLite: ask for the write lock without the usual wait for it
        previous = int(session.execute(sa.text("PRAGMA busy_timeout")).scalar() or 0)
        session.execute(sa.text("PRAGMA busy_timeout = 0"))
    try:
        # On SQLite this write takes the database's write lock, which is the lock we need.
        insert_ignore(session, ClickRollup, {"id": 1, "folded_before": None})
        busy = False
    except sa.exc.OperationalError:
        if not quick:
            raise
        busy = True
    if quick:
        session.execute(sa.text(f"PRAGMA busy_timeout = {previous}"))
    if busy:
        session.rollback()
        return None
    return session.scalar(
        sa.select(ClickRollup)
        .where(ClickRollup.id == 1)
        .with_for_update(skip_locked=not wait)
        .execution_options(populate_existing=True)
    )


def lock(session: Session) -> dt.date | None:
    """Hold the watermark until this transaction ends (writers of old clicks); returns it."""
    row = _lock(session, wait=True)
    assert row is not None
    return row.folded_before


def fold(session: Session, now: dt.datetime | None = None, wait: bool = True) -> int | None:
    """Fold raw clicks of every closed day not folded yet; returns rows made (None if busy).

    The caller commits. With wait=False, a fold already under way elsewhere is left to finish.
    """
    until = closed_before(now or utcnow())
    current = watermark(session)
    if current is not None and current >= until:
        return 0  # nothing new to fold: no lock needed
    row = _lock(session, wait)
    if row is None:
        return None
    start = row.folded_before
    if start is not None and start >= until:
        return 0
    day = sa.func.date(Click.at)
    bot = sa.cast(Click.is_bot, sa.Integer)
    scan = sa.and_(Click.is_scan, sa.not_(Click.is_bot))
    rows = (
        sa.select(
            Click.share_id,
            day,
            Share.campaign_id,
            Share.channel,
            sa.func.count() - sa.func.sum(bot),
            sa.func.sum(sa.cast(Click.is_unique, sa.Integer)),
            sa.func.sum(bot),
            sa.func.sum(sa.case((scan, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(scan, Click.is_unique), 1), else_=0)),
        )
        .join(Share, Share.id == Click.share_id)
        .where(Click.at < dt.datetime.combine(until, dt.time()))
        .group_by(Click.share_id, day, Share.campaign_id, Share.channel)
    )
    if start is not None:
        rows = rows.where(Click.at >= dt.datetime.combine(start, dt.time()))
    made = session.execute(
        sa.insert(ClickDay).from_select(
            ["share_id", "day", "campaign_id", "channel", *COUNTS],
            rows,
        ),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    days = ClickDay.day < until
    if start is not None:
        days = sa.and_(days, ClickDay.day >= start)
    session.execute(
        sa.insert(ClickChannelDay).from_select(
            ["campaign_id", "channel", "day", *COUNTS],
            sa.select(
                ClickDay.campaign_id,
                ClickDay.channel,
                ClickDay.day,
                *(sa.func.sum(getattr(ClickDay, name)) for name in COUNTS),
            )
            .where(days)
            .group_by(ClickDay.campaign_id, ClickDay.channel, ClickDay.day),
        )
    )
    row.folded_before = until
    session.flush()
    return made


def add_folded(session: Session, rows: Iterable[dict]) -> None:
    """Add clicks of already folded days (an import of history) to their aggregates.

    `rows` are click_days rows; the per-channel rows are added up from them.
    """
    rows = [dict.fromkeys(COUNTS, 0) | row for row in rows]
    channels: dict[tuple, dict] = {}
    for row in rows:
        key = (row["campaign_id"], row["channel"], row["day"])
        total = channels.setdefault(
            key,
            dict(zip(("campaign_id", "channel", "day"), key, strict=True))
            | dict.fromkeys(COUNTS, 0),
        )
        for name in COUNTS:
            total[name] += row[name]
    _upsert_add(session, ClickDay, [ClickDay.share_id, ClickDay.day], rows)
    _upsert_add(
        session,
        ClickChannelDay,
        [ClickChannelDay.campaign_id, ClickChannelDay.channel, ClickChannelDay.day],
        list(channels.values()),
    )


def _upsert_add(session: Session, model, keys: list, rows: list[dict]) -> None:
    """Insert rows, or add their counts to the rows already there."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: getattr(model, name) + getattr(statement.excluded, name) for name in COUNTS},
    )
    for start in range(0, len(rows), 5000):
        session.execute(statement, rows[start : start + 5000])
