"""The report's charts, drawn here as SVG: no script, no library from another origin.

Each chart is drawn twice, for a wide and a narrow frame (the page's CSS shows one): a viewBox
scales, so a drawing made for 960 px shrunk onto a phone would carry 6 px labels. Presentation
attributes (fill, stroke) only: the site's CSP (`default-src 'self'`) blocks inline `style=`
attributes, in SVG as in HTML. The axis helpers are plain functions so other charts share them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

CLICKS_FILL = "#7fb8a4"
MONEY_STROKE = "#8b1a1a"
TICKS = 4  # intervals on each value axis, so the two axes share their grid lines


@dataclass(frozen=True)
class Frame:
    """A drawing's size and margins, in viewBox units (CSS px when shown at full size)."""

    name: str
    width: int
    height: int
    left: int
    right: int
    top: int = 16
    bottom: int = 52
    font: int = 13
    max_date_ticks: int = 8

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom


# The narrow frame is shown at about its own width on a 375 px phone, so 13 stays >= 12 px.
WIDE = Frame("wide", 960, 300, left=56, right=72, max_date_ticks=10)
NARROW = Frame("narrow", 360, 280, left=40, right=56, max_date_ticks=4)


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 × 10^n at or above `value` (at least 1): a readable axis top."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def nice_step(value: float, unit: int = 1) -> int:
    """The smallest of 1, 2, 2.5 and 5 × 10^n units at or above `value`: a readable tick step.

    `unit` is the smallest step allowed (100 for money in pence: whole pounds only).
    """
    step = unit
    while True:
        for m in (2, 4, 5, 10):  # ×step/2: 1, 2, 2.5, 5 of the next power (2.5 only if whole)
            candidate = step * m // 2
            if candidate * 2 == step * m and candidate >= max(value, unit):
                return candidate
        step *= 10


def value_ticks(top: float, unit: int = 1, count: int = TICKS) -> list[int]:
    """`count + 1` evenly spaced nice ticks from 0 covering `top`: 0, 250, 500, 750, 1000."""
    step = nice_step(top / count, unit)
    return [step * i for i in range(count + 1)]


def date_ticks(days: Sequence[dt.date], most: int) -> list[int]:
    """Indexes of the days to label: every day (or every n-th) up to a fortnight, else Mondays
    (every n-th Monday if there are more than `most`)."""
    if len(days) <= most:
        return list(range(len(days)))
    mondays = [i for i, d in enumerate(days) if d.weekday() == 0]
    if len(days) <= 14 or len(mondays) < 2:
        return list(range(0, len(days), -(-len(days) // most)))
    return mondays[:: -(-len(mondays) // most)]  # ceiling division: whole weeks apart


def every_day(rows: Sequence[dict]) -> list[dict]:
    """The daily rows with the days between them that had nothing filled in as zeros."""
    by_day = {r["date"]: r for r in rows}
    first, last = dt.date.fromisoformat(rows[0]["date"]), dt.date.fromisoformat(rows[-1]["date"])
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return [
        by_day.get(d.isoformat()) or {"date": d.isoformat(), "clicks": 0, "attributed_minor": 0}
        for d in days
    ]


def _text(x: float, y: float, body: str, frame: Frame, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="currentColor" '
        f'font-size="{frame.font}" font-family="system-ui, sans-serif">{escape(body)}</text>'
    )


def daily_svg(
    rows: Sequence[dict],
    money: Callable[[int], str],
    label: Callable[[str], str],
    *,
    money_unit: int = 1,
    frame: Frame = WIDE,
    title_id: str = "chart-title",
) -> Markup:
    """Bars of clicks and a line of credited money per day, both axes ticked and labelled.

    `rows` are the report's daily rows (date, clicks, attributed_minor); `money` formats minor
    units for an axis, `label` an ISO date for an axis; `money_unit` is the smallest money tick
    (one major unit). Empty rows give an empty string.
    """
    if not rows:
        return Markup("")
    rows = every_day(rows)
    f = frame
    clicks = value_ticks(max(r["clicks"] for r in rows))
    moneys = value_ticks(max(r["attributed_minor"] for r in rows), money_unit)
    slot = f.plot_w / len(rows)
    bar = max(slot * 0.7, 0.5)
    base = f.top + f.plot_h

    def y_of(value: int, top: int) -> float:
        return base - f.plot_h * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.width} {f.height}" '
        f'role="img" class="chart chart-{f.name}" aria-labelledby="{title_id}-{f.name}">',
        f'<title id="{title_id}-{f.name}">Clicks (bars, left axis) and credited money (line, '
        f"right axis) per day, {escape(label(rows[0]['date']))} to "
        f"{escape(label(rows[-1]['date']))}</title>",
        '<g fill="none" stroke="currentColor" stroke-opacity="0.2">',
    ]
    for i in range(len(clicks)):
        y = y_of(clicks[i], clicks[-1])
        parts.append(f'<line x1="{f.left}" y1="{y:.1f}" x2="{f.left + f.plot_w}" y2="{y:.1f}"/>')
    parts += ["</g>", f'<g fill="{CLICKS_FILL}">']
    for i, row in enumerate(rows):
        h = f.plot_h * row["clicks"] / clicks[-1]
        x = f.left + i * slot + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
            f"<title>{escape(label(row['date']))}: {row['clicks']} clicks</title></rect>"
        )
    parts.append("</g>")
    points = " ".join(
        f"{f.left + (i + 0.5) * slot:.1f},{y_of(row['attributed_minor'], moneys[-1]):.1f}"
        for i, row in enumerate(rows)
    )
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{MONEY_STROKE}" stroke-width="2.5"/>'
    )
    for c, m in zip(clicks, moneys, strict=True):
        y = y_of(c, clicks[-1]) + f.font / 3
        parts.append(_text(f.left - 6, y, f"{c:,}", f, "end"))
        parts.append(_text(f.left + f.plot_w + 6, y, money(m), f))
    days = [dt.date.fromisoformat(r["date"]) for r in rows]
    for i in date_ticks(days, f.max_date_ticks):
        x = f.left + (i + 0.5) * slot
        parts.append(
            f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="currentColor"/>'
        )
        parts.append(_text(x, base + 4 + f.font, label(rows[i]["date"]), f, "middle"))
    key_y = f.height - 6
    parts += [
        f'<rect x="{f.left}" y="{key_y - 10}" width="12" height="10" fill="{CLICKS_FILL}"/>',
        _text(f.left + 16, key_y, "clicks", f),
        f'<line x1="{f.left + 80}" y1="{key_y - 5}" x2="{f.left + 96}" y2="{key_y - 5}" '
        f'stroke="{MONEY_STROKE}" stroke-width="2.5"/>',
        _text(f.left + 100, key_y, "credited money", f),
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped above)


FAN_FILL = "#c9a3a3"
TARGET_STROKE = "#2b5d8a"
TODAY_STROKE = "#4a4a4a"
# The forecast, like the daily chart, is drawn for two frames (CSS shows one), so its text stays
# 13 px at both: one viewBox scaled to the page makes it 7 px on a phone and 24 on a desktop.
FORECAST_WIDE = Frame("wide", 720, 280, left=64, right=64, top=24, max_date_ticks=6)
FORECAST_NARROW = Frame("narrow", 360, 260, left=56, right=52, top=24, max_date_ticks=3)


def forecast_svg(
    forecast,
    money: Callable[[int], str],
    label: Callable[[str], str],
    *,
    money_unit: int = 1,
    frame: Frame = FORECAST_WIDE,
) -> Markup:
    """The cumulative total so far (line), then the forecast's 10–90% fan and median to the end
    continuing it, the target (a level line), today (a vertical mark), value and date ticks.
    `forecast` is an estimates.forecast.Forecast; `money_unit` is the smallest money tick."""
    past = list(forecast.history)
    ahead = list(forecast.path)
    if not past and not ahead:
        return Markup("")
    if past and ahead and past[-1][0] <= ahead[0][0]:
        # The forecast starts where the money raised so far ends: one continuous line.
        day, total = past[-1]
        ahead = [(day, total, total, total)] + [row for row in ahead if row[0] > day]
    f = frame
    days = [d for d, _t in past] + [d for d, *_r in ahead]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    highest = max([forecast.target_minor] + [t for _d, t in past] + [h for *_r, h in ahead])
    ticks = value_ticks(highest, money_unit)
    base = f.top + f.plot_h

    def x(day) -> float:
        return f.left + f.plot_w * (day - first).days / span

    def y(value: int) -> float:
        return base - f.plot_h * value / ticks[-1]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.width} {f.height}" role="img" '
        f'class="chart chart-{f.name} chart-forecast" aria-labelledby="forecast-title-{f.name}">',
        f'<title id="forecast-title-{f.name}">Raised so far and the forecast to '
        f"{escape(label(last.isoformat()))}: expected {escape(money(forecast.expected_minor))}, "
        f"80% interval {escape(money(forecast.low_minor))} to "
        f"{escape(money(forecast.high_minor))}</title>",
        *_forecast_axes(f, ticks, y, money, first, last, x, label),
        *_forecast_lines(past, ahead, x, y),
    ]
    if forecast.target_minor:
        level = y(forecast.target_minor)
        parts += [
            f'<line x1="{f.left}" y1="{level:.1f}" x2="{f.left + f.plot_w}" y2="{level:.1f}" '
            f'stroke="{TARGET_STROKE}" stroke-width="1.5"/>',
            _text(f.left + f.plot_w + 6, level + f.font / 3, "target", f),
        ]
    if ahead:  # the forecast starts today
        today = x(forecast.path[0][0]) if forecast.path else x(ahead[0][0])
        parts += [
            f'<line x1="{today:.1f}" y1="{f.top - 4}" x2="{today:.1f}" y2="{base}" '
            f'stroke="{TODAY_STROKE}" stroke-width="1.5" stroke-dasharray="2 3"/>',
            _text(today, f.top - 8, "today", f, "middle"),
        ]
    key_y = f.height - 6
    parts += [
        f'<line x1="{f.left}" y1="{key_y - 4}" x2="{f.left + 16}" y2="{key_y - 4}" '
        f'stroke="{MONEY_STROKE}" stroke-width="2.5"/>',
        _text(f.left + 20, key_y, "raised", f),
        f'<rect x="{f.left + 76}" y="{key_y - 10}" width="12" height="10" fill="{FAN_FILL}"/>',
        _text(f.left + 92, key_y, "forecast, 80% interval", f),
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped)


def _forecast_axes(f: Frame, ticks, y, money, first, last, x, label) -> list[str]:
    """Grid lines with money ticks on the left, and date ticks under the base line."""
    parts = ['<g fill="none" stroke="currentColor" stroke-opacity="0.2">']
    parts += [
        f'<line x1="{f.left}" y1="{y(t):.1f}" x2="{f.left + f.plot_w}" y2="{y(t):.1f}"/>'
        for t in ticks
    ]
    parts.append("</g>")
    parts += [_text(f.left - 6, y(t) + f.font / 3, money(t), f, "end") for t in ticks]
    every = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    base = f.top + f.plot_h
    for i in date_ticks(every, f.max_date_ticks):
        at = x(every[i])
        parts.append(
            f'<line x1="{at:.1f}" y1="{base}" x2="{at:.1f}" y2="{base + 4}" stroke="currentColor"/>'
        )
        parts.append(_text(at, base + 4 + f.font, label(every[i].isoformat()), f, "middle"))
    return parts


def _forecast_lines(past, ahead, x, y) -> list[str]:
    """The fan and the dashed median ahead, the solid line of money raised so far."""
    parts = []
    if ahead:
        upper = " ".join(f"{x(d):.1f},{y(h):.1f}" for d, _l, _m, h in ahead)
        lower = " ".join(f"{x(d):.1f},{y(lo):.1f}" for d, lo, _m, _h in reversed(ahead))
        median = " ".join(f"{x(d):.1f},{y(m):.1f}" for d, _l, m, _h in ahead)
        parts += [
            f'<polygon points="{upper} {lower}" fill="{FAN_FILL}" fill-opacity="0.6"/>',
            f'<polyline points="{median}" fill="none" stroke="{MONEY_STROKE}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>',
        ]
    if past:
        points = " ".join(f"{x(d):.1f},{y(t):.1f}" for d, t in past)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{MONEY_STROKE}" stroke-width="2.5"/>'
        )
    return parts
