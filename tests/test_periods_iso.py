"""The one ISO 8601 writer: every time the app writes out reads the same."""

from __future__ import annotations

import datetime as dt

import pytest

from sharetrack.periods import iso_utc


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (dt.datetime(2026, 3, 1, 12, 0), "2026-03-01T12:00:00Z"),
        (dt.datetime(2026, 3, 1, 12, 0, 5, 250000), "2026-03-01T12:00:05.250000Z"),
        (dt.datetime(2026, 3, 1, 12, 0, 0, 1), "2026-03-01T12:00:00.000001Z"),
        # An aware time is written in UTC, with a Z and no offset.
        (
            dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "2026-03-01T12:00:00Z",
        ),
        (dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), "2026-03-01T12:00:00Z"),
    ],
)
def test_iso_utc_writes_naive_utc_with_a_z(moment, written):
    assert iso_utc(moment) == written
    assert dt.datetime.fromisoformat(written).tzinfo == dt.UTC  # it reads back as UTC
