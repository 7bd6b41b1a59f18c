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
# The forecast's fan is drawn once, in one frame scaled by its viewBox.
FORECAST = Frame("forecast", 720, 260, left=56, right=72, top=16, bottom=40)


def forecast_svg(forecast, money: Callable[[int], str], label: Callable[[str], str]) -> Markup:
    """The cumulative total so far (line), the forecast's 10–90% fan and median to the end,
    and the target (a level line). `forecast` is an estimates.forecast.Forecast."""
    past = [(day, total) for day, total in forecast.history]
    ahead = list(forecast.path)
    if not past and not ahead:
        return Markup("")
    WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = (  # noqa: N806 - the frame's edges, as constants
        FORECAST.width,
        FORECAST.height,
        FORECAST.left,
        FORECAST.right,
        FORECAST.top,
        FORECAST.bottom,
    )
    days = [d for d, _t in past] + [d for d, *_r in ahead]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max([forecast.target_minor] + [t for _d, t in past]
                           + [high for _d, _l, _m, high in ahead]))  # fmt: skip

    def x(day) -> float:
        return LEFT + plot_w * (day - first).days / span

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" aria-labelledby="forecast-title" preserveAspectRatio="xMidYMid meet">',
        f'<title id="forecast-title">Raised so far and the forecast to '
        f"{escape(label(last.isoformat()))}: expected {escape(money(forecast.expected_minor))}, "
        f"80% between {escape(money(forecast.low_minor))} and "
        f"{escape(money(forecast.high_minor))}</title>",
        f'<g fill="none" stroke="currentColor" stroke-opacity="0.3">'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}"/></g>',
    ]
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
    text = 'fill="currentColor" font-size="13" font-family="system-ui, sans-serif"'
    if forecast.target_minor:
        parts += [
            f'<line x1="{LEFT}" y1="{y(forecast.target_minor):.1f}" x2="{LEFT + plot_w}" '
            f'y2="{y(forecast.target_minor):.1f}" stroke="{TARGET_STROKE}" stroke-width="1.5"/>',
            f'<text x="{LEFT + plot_w + 6}" y="{y(forecast.target_minor) + 4:.1f}" {text}>'
            f"target</text>",
        ]
    parts += [
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" {text}>{escape(money(top))}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" {text}>'
        f"{escape(money(0))}</text>",
        f'<text x="{LEFT}" y="{HEIGHT - 20}" {text}>{escape(label(first.isoformat()))}</text>',
        f'<text x="{LEFT + plot_w}" y="{HEIGHT - 20}" text-anchor="end" {text}>'
        f"{escape(label(last.isoformat()))}</text>",
        f'<line x1="{LEFT}" y1="{HEIGHT - 7}" x2="{LEFT + 16}" y2="{HEIGHT - 7}" '
        f'stroke="{MONEY_STROKE}" stroke-width="2.5"/>',
        f'<text x="{LEFT + 20}" y="{HEIGHT - 3}" {text}>raised</text>',
        f'<rect x="{LEFT + 80}" y="{HEIGHT - 12}" width="12" height="10" fill="{FAN_FILL}"/>',
        f'<text x="{LEFT + 96}" y="{HEIGHT - 3}" {text}>forecast, 10–90%</text>',
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped above)
