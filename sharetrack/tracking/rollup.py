"""Daily click aggregates: raw clicks of closed days folded into one row per share and day
(click_days), and those added up per campaign, channel and day (click_channel_days).

Reports read the aggregates for days before the watermark (click_rollups.folded_before) and raw
clicks from that day on, so a day reads the same before and after it is folded, and a report
over a million clicks reads a few hundred thousand rows instead (docs/adr/0302-click-days.md).
A day's figures are defined once, in `day_figures` (unique visits are distinct visitor hashes,
docs/adr/1601-one-write-per-click.md), and added to the aggregates by one upsert, for a fold
and for an import into folded days alike. Raw clicks are never deleted here; retention
(tracking/retention.py) forgets their hashes and deletes old ones, of folded days only.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import dialects
from ..dialects import insert_ignore
from ..models import Click, ClickChannelDay, ClickDay, ClickRollup, Share, utcnow

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
    quick = not wait and dialects.is_sqlite(session)
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
    where = [Click.at < dt.datetime.combine(until, dt.time())]
    if start is not None:
        where.append(Click.at >= dt.datetime.combine(start, dt.time()))
    made = _add(session, where)
    row.folded_before = until
    session.flush()
    return made


def try_fold(session: Session) -> None:
    """Fold closed days now unless another fold or an import holds the lock; commits.

    Reports are right either way (days not folded are read raw); folding keeps them fast.
    """
    try:
        if fold(session, wait=False):
            session.commit()
        else:
            session.rollback()
    except sa.exc.OperationalError:  # the database is busy (an import): fold another time
        session.rollback()


def add_imported(session: Session, after_id: int, before: dt.date) -> None:
    """Add clicks just imported (ids above `after_id`) on days already folded (before
    `before`) to those days' aggregates. The caller holds the watermark (lock())."""
    _add(session, [Click.id > after_id, Click.at < dt.datetime.combine(before, dt.time())])


def day_figures(click=Click) -> list:
    """A share's figures on a day, as aggregates over its raw clicks grouped by share and day:
    the one definition behind folded days and the open days reports read raw.

    A visitor's first visit of the day is not stored: the unique visits of a share and day are
    its distinct visitor hashes (machines have none; a GPC/DNT visit has a value of its own).
    """
    human = sa.not_(click.is_bot)
    human_hash = sa.case((human, click.visitor_hash))
    scan = sa.and_(click.is_scan, human)
    return [
        sa.func.sum(sa.case((human, 1), else_=0)).label("clicks"),
        sa.func.count(sa.distinct(human_hash)).label("unique_clicks"),
        sa.func.sum(sa.case((human, 0), else_=1)).label("bot_clicks"),
        sa.func.sum(sa.case((scan, 1), else_=0)).label("scans"),
        sa.func.count(sa.distinct(sa.case((scan, click.visitor_hash)))).label("unique_scans"),
    ]


def _add(session: Session, where: list) -> int:
    """Add the figures of the clicks matching `where` to click_days and click_channel_days
    (inserting the share-days and channel-days not there yet); returns share-days touched."""
    share_days = (
        sa.select(Click.share_id, Click.day, Share.campaign_id, Share.channel, *day_figures())
        .join(Share, Share.id == Click.share_id)
        .where(*where)
        .group_by(Click.share_id, Click.day, Share.campaign_id, Share.channel)
    )
    made = _upsert_add(
        session,
        ClickDay,
        [ClickDay.share_id, ClickDay.day],
        ["share_id", "day", "campaign_id", "channel", *COUNTS],
        share_days,
    )
    days = share_days.subquery()
    _upsert_add(
        session,
        ClickChannelDay,
        [ClickChannelDay.campaign_id, ClickChannelDay.channel, ClickChannelDay.day],
        ["campaign_id", "channel", "day", *COUNTS],
        sa.select(
            days.c.campaign_id,
            days.c.channel,
            days.c.day,
            *(sa.func.sum(days.c[name]) for name in COUNTS),
        )
        .where(sa.true())  # SQLite's upsert from a SELECT needs a WHERE to parse
        .group_by(days.c.campaign_id, days.c.channel, days.c.day),
    )
    return made


def _upsert_add(session: Session, model, keys: list, columns: list[str], rows) -> int:
    """Insert the rows of a SELECT, or add their counts to the rows already there."""
    statement = dialects.insert(session, model).from_select(columns, rows)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: getattr(model, name) + getattr(statement.excluded, name) for name in COUNTS},
    )
    return session.execute(statement, execution_options={"preserve_rowcount": True}).rowcount
