"""The credit models, as pure functions over plain data (no database, no app).

A pledge's touches are the shares its supporter arrived through, with when they arrived. Each
model turns them into integer weights; money.split turns the weights into credits that add up
exactly to the pledge's amount in minor units. See docs/attribution.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..models import ATTRIBUTION_MODELS
from ..money import split

HALF_LIFE = dt.timedelta(days=7)
# Time-decay weights are fixed-point numbers with this many fractional bits: exact to split.
_DECAY_BITS = 40


@dataclass(frozen=True, order=True)
class Arrival:
    """An arrival through a share. Ordered by time, then share id, so ties are stable."""

    at: dt.datetime
    share_id: int


def eligible(
    touches: Iterable[Arrival], pledged_at: dt.datetime, window_days: int
) -> list[Arrival]:
    """The touches inside the window before the pledge, oldest first."""
    start = pledged_at - dt.timedelta(days=window_days)
    return sorted(t for t in touches if start <= t.at <= pledged_at)


def weights(model: str, touches: Sequence[Arrival], pledged_at: dt.datetime) -> list[int]:
    """Integer weights, one per touch (oldest first), for `model`."""
    n = len(touches)
    if n == 0:
        return []
    match model:
        case "last_click":
            return [0] * (n - 1) + [1]
        case "first_click":
            return [1] + [0] * (n - 1)
        case "linear":
            return [1] * n
        case "time_decay":
            # 2^(-age / half-life): a touch a week before the pledge counts half as much.
            return [
                max(1, round(math.ldexp(2 ** (-(pledged_at - t.at) / HALF_LIFE), _DECAY_BITS)))
                for t in touches
            ]
        case "position_based":
            if n <= 2:
                return [1] * n
            # 40% first, 40% last, 20% shared by the middle: scaled by (n - 2) to stay integer.
            return [40 * (n - 2)] + [20] * (n - 2) + [40 * (n - 2)]
    raise ValueError(f"unknown attribution model {model!r}")


def credit(
    model: str, amount_minor: int, touches: Sequence[Arrival], pledged_at: dt.datetime
) -> dict[int, int]:
    """Credit per share id (zero credits left out); sums exactly to the amount, or is empty."""
    ordered = sorted(touches)
    if not ordered:
        return {}
    credits: dict[int, int] = {}
    for touch, part in zip(
        ordered, split(amount_minor, weights(model, ordered, pledged_at)), strict=True
    ):
        if part:
            credits[touch.share_id] = credits.get(touch.share_id, 0) + part
    return credits


def credit_all(
    amount_minor: int, touches: Sequence[Arrival], pledged_at: dt.datetime
) -> dict[str, dict[int, int]]:
    """Credit per share id under every model."""
    return {model: credit(model, amount_minor, touches, pledged_at) for model in ATTRIBUTION_MODELS}
