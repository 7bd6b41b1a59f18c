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


def purge_clicks(session: Session, days: int, now: dt.datetime | None = None) -> int:
    """Fold closed days, then delete raw clicks older than `days` days; returns how many.

    The caller commits. Holds the fold watermark meanwhile, so an import of old clicks (which
    takes the same lock) waits rather than writing raw clicks into a day being deleted.
    """
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    now = now or utcnow()
    rollup.fold(session, now)
    before = cutoff(now, days, rollup.lock(session))
    if before is None:
        return 0
    result = session.execute(
        sa.delete(Click).where(Click.at < before), execution_options={"preserve_rowcount": True}
    )
    return result.rowcount
