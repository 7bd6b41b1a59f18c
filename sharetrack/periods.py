"""Time ranges the readers of clicks and money share, dates read back from either engine, and
the one ISO 8601 writer (iso_utc)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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


def day_of(value) -> dt.date:
    """A date from date() on either engine (SQLite answers text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def iso_utc(moment: dt.datetime) -> str:
    """The one way a time is written out: ISO 8601 in UTC with a `Z`, microseconds only when it
    has some (2026-03-01T12:00:00Z, 2026-03-01T12:00:00.250000Z). Timestamps are naive UTC; an
    aware time is turned into UTC first."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"
