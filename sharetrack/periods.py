"""Time ranges the readers of clicks and money share, and dates read back from either engine."""

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
