"""Money per view over time, one line per variant, as SVG (the reports' chart style)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup, escape

from ...formatting import money
from ...reports.charts import WIDE, date_ticks

COLOURS = ("#555555", "#8b1a1a", "#2b5d8a", "#7a5c00")


def money_per_view_svg(
    days: Sequence[tuple[dt.date, list[list[int]]]], keys: Sequence[str], currency: str
) -> Markup:
    """Each variant's money per view so far (all its views and credit up to each day)."""
    if not days:
        return Markup("")
    f = WIDE
    totals = [[0, 0] for _ in keys]
    lines: list[list[float]] = [[] for _ in keys]
    for _, rows in days:
        for arm, (views, minor) in enumerate(rows):
            totals[arm][0] += views
            totals[arm][1] += minor
            lines[arm].append(totals[arm][1] / totals[arm][0] if totals[arm][0] else 0.0)
    top = max(max(line) for line in lines) or 1.0
    slot = f.plot_w / len(days)
    base = f.top + f.plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {f.width} {f.height}" '
        'role="img" class="chart" aria-labelledby="mpv-title">',
        '<title id="mpv-title">Money per view so far, per variant, by day</title>',
    ]
    for arm, line in enumerate(lines):
        points = " ".join(
            f"{f.left + (i + 0.5) * slot:.1f},{base - f.plot_h * v / top:.1f}"
            for i, v in enumerate(line)
        )
        colour = COLOURS[arm % len(COLOURS)]
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        key_x = f.left + arm * 160
        parts.append(
            f'<text x="{key_x}" y="{f.height - 6}" fill="{colour}" font-size="{f.font}">'
            f"{escape(keys[arm])}</text>"
        )
    for y, value in ((f.top, top), (base, 0.0)):
        label = escape(money(round(1000 * value), currency) + " per 1,000 views")
        parts.append(
            f'<text x="{f.left + 4}" y="{y + 4}" text-anchor="start" fill="currentColor" '
            f'font-size="{f.font}">{label}</text>'
        )
    for i in date_ticks([d for d, _ in days], f.max_date_ticks):
        x = f.left + (i + 0.5) * slot
        parts.append(
            f'<text x="{x:.1f}" y="{base + 4 + f.font}" text-anchor="middle" fill="currentColor" '
            f'font-size="{f.font}">{escape(days[i][0].isoformat())}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped above)
