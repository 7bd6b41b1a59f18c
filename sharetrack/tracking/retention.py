"""Retention: raw clicks older than CLICK_RETENTION_DAYS are deleted once their days are folded.

Reports read folded days from the daily aggregates only (tracking/rollup.py), so deleting the
raw clicks of folded days changes no figure; a day not folded yet is never deleted, whatever
its age (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Click, utcnow
from . import rollup


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
