"""The report's SVG chart: nice ticks, a tick per day or per week, two frames, escaped text."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sharetrack.reports import charts


@pytest.mark.parametrize(
    ("top", "unit", "ticks"),
    [
        (43, 1, [0, 20, 40, 60, 80]),
        (7, 1, [0, 2, 4, 6, 8]),
        (0, 1, [0, 1, 2, 3, 4]),
        (90_000, 100, [0, 25_000, 50_000, 75_000, 100_000]),  # £0, £250, £500, £750, £1,000
        (14_434, 100, [0, 5_000, 10_000, 15_000, 20_000]),
        (30, 100, [0, 100, 200, 300, 400]),  # never a tick below one whole pound
    ],
)
def test_value_ticks_are_nice_and_cover_the_top(top, unit, ticks):
    assert charts.value_ticks(top, unit) == ticks


def days(n: int, start=dt.date(2026, 3, 1)) -> list[dt.date]:  # 1 March 2026 is a Sunday
    return [start + dt.timedelta(days=i) for i in range(n)]


def test_date_ticks_are_daily_for_short_ranges_and_weekly_for_long_ones():
    assert charts.date_ticks(days(7), most=8) == list(range(7))
    assert charts.date_ticks(days(10), most=4) == [0, 3, 6, 9]  # every third day
    weekly = charts.date_ticks(days(60), most=10)
    assert all(days(60)[i].weekday() == 0 for i in weekly)  # Mondays
    assert [b - a for a, b in zip(weekly, weekly[1:], strict=False)] == [7] * (len(weekly) - 1)
    sparse = charts.date_ticks(days(365), most=8)
    assert len(sparse) <= 8 and all(days(365)[i].weekday() == 0 for i in sparse)


def rows(n: int) -> list[dict]:
    return [
        {"date": d.isoformat(), "clicks": 3 * i, "attributed_minor": 2_500 * i}
        for i, d in enumerate(days(n))
    ]


@pytest.mark.parametrize("frame", [charts.WIDE, charts.NARROW])
def test_the_chart_labels_every_tick_in_whole_units(frame):
    svg = charts.daily_svg(
        rows(8),
        money=lambda m: f"£{m // 100:,}",
        label=lambda d: d[5:],
        money_unit=100,
        frame=frame,
    )
    assert f'viewBox="0 0 {frame.width} {frame.height}"' in svg
    labels = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert ["0", "£0"] == labels[:2]
    assert "£200" in labels  # 8 days up to £175 a day: ticks of £50 up to £200
    assert all(f'font-size="{frame.font}"' in t for t in re.findall(r"<text [^>]*>", svg))
    assert "style=" not in svg  # CSP: presentation attributes only


def test_days_without_rows_are_drawn_as_zeros():
    some = [rows(5)[0], rows(5)[4]]
    assert [r["date"] for r in charts.every_day(some)] == [d.isoformat() for d in days(5)]
    assert charts.every_day(some)[2] == {"date": "2026-03-03", "clicks": 0, "attributed_minor": 0}


def test_text_in_the_chart_is_escaped():
    svg = charts.daily_svg(rows(2), money=lambda m: "<b>", label=lambda d: "&x")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&amp;x" in svg
