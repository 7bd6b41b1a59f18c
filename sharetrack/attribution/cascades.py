"""Cascades: a share made from another share. The rules every report and estimate follows."""

from __future__ import annotations

# Indirect credit follows cascades this many levels up; deeper chains stop counting there.
MAX_CASCADE_DEPTH = 64


def cascade_factor(children: int, shares: int) -> float:
    """Child shares per share, to three places; 0 when there are no shares."""
    return round(children / shares, 3) if shares else 0.0
