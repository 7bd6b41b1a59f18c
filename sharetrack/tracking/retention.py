"""Retention: visitor hashes go after 48 hours, raw clicks after CLICK_RETENTION_DAYS, and
each only once its day is folded.

Reports read folded days from the daily aggregates only (tracking/rollup.py), so forgetting
the hashes and deleting the raw clicks of folded days changes no figure; a day not folded yet
is never deleted, whatever its age (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Click, utcnow
from . import rollup, visitors


def forget_visitors(session: Session, today: dt.date | None = None) -> int:
    """Set to NULL the visitor hashes of folded days before yesterday; returns how many.

    A day's unique visits are counted from its hashes when it is folded, so they must outlive
    the fold; the day's salt goes at the same 48 hours (visitors.purge_salts).
    """
    folded_before = rollup.watermark(session)
    if folded_before is None:
        return 0
    before = min(visitors.keep_from(today or utcnow().date()), folded_before)
    return (
        session.connection()
        .execute(
            sa.update(Click.__table__)
            .where(Click.visitor_hash.is_not(None), Click.day < before)
            .values(visitor_hash=None)
        )
        .rowcount
    )


def expire_visitors(
    session: Session, now: dt.datetime | None = None, wait: bool = True
) -> tuple[int, int]:
    """Delete salts and forget visitor hashes of days before yesterday, folding those days
    first; returns (salts, hashes) gone. Commits.

    With wait=False (the redirect, on a worker's first click of a day) a fold already under way
    is left alone, and its days' hashes are forgotten on a later call (`flask purge` hourly).
    """
    now = now or utcnow()
    salts = visitors.purge_salts(session.connection(), now.date())
    session.commit()
    if rollup.fold(session, now, wait=wait) is None:
        session.rollback()
    else:
        session.commit()
    hashes = forget_visitors(session, now.date())
    session.commit()
    return salts, hashes


def cutoff(now: dt.datetime, days: int, folded_before: dt.date | None) -> dt.datetime | None:
    """Raw clicks before this moment may go: older than `days`, and on a folded day."""
    if folded_before is None:
        return None
    return min(now - dt.timedelta(days=days), dt.datetime.combine(folded_before, dt.time()))


BATCH = 5000  # raw clicks deleted per transaction


def purge_clicks(
    session: Session, days: int, now: dt.datetime | None = None, batch: int = BATCH
) -> int:
    """Fold closed days, then delete raw clicks older than `days` days; returns how many.

    Commits the fold, then deletes `batch` clicks per transaction. Each batch takes the fold
    watermark's lock (on SQLite, the database's write lock) and re-reads the watermark under
    it, so an import of old clicks (which takes the same lock) waits only for one batch and
    is respected by the next, and on SQLite the redirect keeps storing clicks while the first
    purge of a long history runs instead of waiting behind one huge delete.
    """
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    if batch < 1:
        raise ValueError("a batch must delete at least one click")
    now = now or utcnow()
    rollup.fold(session, now)
    session.commit()
    total = 0
    while True:
        before = cutoff(now, days, rollup.lock(session))
        if before is None:
            session.commit()
            return total
        oldest = sa.select(Click.id).where(Click.at < before).limit(batch).scalar_subquery()
        deleted = session.execute(
            sa.delete(Click).where(Click.id.in_(oldest)),
            execution_options={"preserve_rowcount": True, "synchronize_session": False},
        ).rowcount
        session.commit()
        total += deleted
        if deleted < batch:
            return total
