"""Report tables as CSV: the same rows as the API, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[dict], columns: list[str]) -> str:
    """CSV text with a header row of `columns`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()


COLUMNS = {
    "channels": [
        "channel",
        "shares",
        "clicks",
        "unique_clicks",
        "pledges",
        "attributed_minor",
        "indirect_minor",
        "per_share_minor",
        "per_click_minor",
        "cascade_factor",
        "estimate_minor",
        "low_minor",
        "high_minor",
        "basis",
        "shows_amount",
        "reason",
        "timing_minor",
        "timing_low_minor",
        "timing_high_minor",
    ],
    "promoters": ["promoter", "display_name", "shares", "clicks", "pledges", "attributed_minor"],
    "daily": ["date", "clicks", "unique_clicks", "pledges", "attributed_minor"],
}
