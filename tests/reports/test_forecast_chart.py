"""The forecast chart: two frames of fixed-size text, ticks, a today mark, one continuous line."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sharetrack.estimates.forecast import Forecast
from sharetrack.reports import charts

DAY = dt.date(2026, 3, 1)


def forecast(past_days: int = 10, ahead_days: int = 20) -> Forecast:
    history = tuple((DAY + dt.timedelta(days=i), 1_000 * (i + 1)) for i in range(past_days))
    today = DAY + dt.timedelta(days=past_days)
    path = tuple(
        (today + dt.timedelta(days=i), 10_000 + 300 * i, 10_000 + 500 * i, 10_000 + 800 * i)
        for i in range(ahead_days)
    )
    return Forecast(10_000, 25_000, dt.datetime(2026, 3, 31), 19_500, 15_700, 25_200, 0.4,
                    None, path, history)  # fmt: skip


def draw(frame, shown=None):
    return str(
        charts.forecast_svg(
            shown or forecast(),
            money=lambda m: f"£{m // 100:,}",
            label=lambda iso: iso[5:],
            money_unit=100,
            frame=frame,
        )
    )


def points(polyline: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in polyline.split()]


@pytest.mark.parametrize("frame", [charts.FORECAST_WIDE, charts.FORECAST_NARROW])
def test_each_frame_has_fixed_text_ticks_and_today(frame):
    svg = draw(frame)
    assert f'viewBox="0 0 {frame.width} {frame.height}"' in svg
    assert f"chart-{frame.name}" in svg  # CSS shows one frame, never stretched past its width
    assert set(re.findall(r'font-size="(\d+)"', svg)) == {"13"}
    money_ticks = re.findall(r'text-anchor="end"[^>]*>(£[\d,]+)</text>', svg)
    assert money_ticks == ["£0", "£100", "£200", "£300", "£400"]  # five ticks, four steps
    assert len(re.findall(r'text-anchor="middle"[^>]*>\d\d-\d\d</text>', svg)) >= 2
    assert ">today</text>" in svg and 'stroke-dasharray="2 3"' in svg


def test_the_forecast_continues_the_line_of_money_raised():
    svg = draw(charts.FORECAST_WIDE)
    solid, dashed = (
        re.search(rf'<polyline points="([^"]+)"[^>]*{kind}', svg).group(1)
        for kind in ('stroke-width="2.5"/>', 'stroke-dasharray="6 4"')
    )
    assert points(solid)[-1] == points(dashed)[0]


def test_the_phone_frame_keeps_13px_text_at_375px():
    # The page's main column at 375 px is 343 px wide: the 360-unit frame shrinks by 343/360.
    assert 13 * 343 / charts.FORECAST_NARROW.width >= 12
