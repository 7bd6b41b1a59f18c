"""The report's daily chart, drawn here as SVG: no script, no library from another origin.

Presentation attributes (fill, stroke) only: the site's CSP (`default-src 'self'`) blocks
inline `style=` attributes, in SVG as in HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 72, 16, 40
CLICKS_FILL = "#7fb8a4"
MONEY_STROKE = "#8b1a1a"


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


def daily_svg(
    rows: Sequence[dict], money: Callable[[int], str], label: Callable[[str], str]
) -> Markup:
    """Bars of clicks and a line of credited money per day, with both axes labelled.

    `rows` are the report's daily rows (date, clicks, attributed_minor); `money` formats minor
    units, `label` formats an ISO date. Empty rows give an empty string.
    """
    if not rows:
        return Markup("")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_clicks = nice_ceiling(max(r["clicks"] for r in rows))
    top_money = nice_ceiling(max(r["attributed_minor"] for r in rows))
    slot = plot_w / len(rows)
    bar = max(slot * 0.7, 0.5)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" aria-labelledby="chart-title" preserveAspectRatio="xMidYMid meet">',
        f'<title id="chart-title">Clicks (bars, left axis) and credited money (line, right '
        f"axis) per day, {escape(label(rows[0]['date']))} to "
        f"{escape(label(rows[-1]['date']))}</title>",
        f'<g fill="none" stroke="currentColor" stroke-opacity="0.3">'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT + plot_w}" y2="{TOP}"/></g>',
        f'<g fill="{CLICKS_FILL}">',
    ]
    for i, row in enumerate(rows):
        h = plot_h * row["clicks"] / top_clicks
        x = LEFT + i * slot + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
            f"<title>{escape(label(row['date']))}: {row['clicks']} clicks</title></rect>"
        )
    parts.append("</g>")
    points = " ".join(
        f"{LEFT + (i + 0.5) * slot:.1f},"
        f"{TOP + plot_h - plot_h * row['attributed_minor'] / top_money:.1f}"
        for i, row in enumerate(rows)
    )
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{MONEY_STROKE}" stroke-width="2.5"/>'
    )
    text = 'fill="currentColor" font-size="13" font-family="system-ui, sans-serif"'
    parts += [
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" {text}>{top_clicks:,}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" {text}>0</text>',
        f'<text x="{LEFT + plot_w + 6}" y="{TOP + 4}" {text}>{escape(money(top_money))}</text>',
        f'<text x="{LEFT + plot_w + 6}" y="{TOP + plot_h}" {text}>{escape(money(0))}</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 20}" {text}>{escape(label(rows[0]["date"]))}</text>',
        f'<text x="{LEFT + plot_w}" y="{HEIGHT - 20}" text-anchor="end" {text}>'
        f"{escape(label(rows[-1]['date']))}</text>",
        f'<rect x="{LEFT}" y="{HEIGHT - 12}" width="12" height="10" fill="{CLICKS_FILL}"/>',
        f'<text x="{LEFT + 16}" y="{HEIGHT - 3}" {text}>clicks</text>',
        f'<line x1="{LEFT + 80}" y1="{HEIGHT - 7}" x2="{LEFT + 96}" y2="{HEIGHT - 7}" '
        f'stroke="{MONEY_STROKE}" stroke-width="2.5"/>',
        f'<text x="{LEFT + 100}" y="{HEIGHT - 3}" {text}>credited money</text>',
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped above)


FAN_FILL = "#c9a3a3"
TARGET_STROKE = "#2b5d8a"


def forecast_svg(forecast, money: Callable[[int], str], label: Callable[[str], str]) -> Markup:
    """The cumulative total so far (line), the forecast's 10–90% fan and median to the end,
    and the target (a level line). `forecast` is an estimates.forecast.Forecast."""
    past = [(day, total) for day, total in forecast.history]
    ahead = list(forecast.path)
    if not past and not ahead:
        return Markup("")
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
