"""Maturity: how much of its eventual credit a share of a given age has usually earned.

Pure statistics (docs/estimate.md, "1. Maturity"). With u = delay / horizon in [0, 1], the delay
curve F(u) is the cumulative intensity of credit events per share, normalised to 1 at the
horizon, estimated over *every* share, young ones too, as censored: an event at u counts
1 / (the number of shares at least u old), the Nelson–Aalen estimator for recurrent events. So
shares hours old teach the curve's first hours instead of being dropped, and no delay is cut
short by the present. The curve sits on a grid that is fine near 0 (minutes at a month's
horizon), where half of a channel's pledges may arrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

HORIZON_WINDOWS = 2  # a share is mature once 2 attribution windows have passed since it was made
CURVE_PRIOR_EVENTS = 30  # how many observed delays outweigh the default delay curve
CURVE_PRIOR_SCALE = 0.15  # default curve: most value arrives in the first 15% of the horizon
# u from 1e-4 (4 minutes at a 4-week horizon) to 1, evenly on the log scale, and 0.
GRID = np.concatenate([[0.0], np.geomspace(1e-4, 1.0, 160)])
MIN_MATURED = 10  # shares past their horizon needed before a group's own curve is used


class History(Protocol):
    age_days: float
    window_days: int
    credits: tuple


def horizon(h: History) -> float:
    """Age in days at which a share counts as matured."""
    return float(HORIZON_WINDOWS * h.window_days)


def prior_curve() -> np.ndarray:
    """The default curve on GRID: most value early."""
    return (1 - np.exp(-GRID / CURVE_PRIOR_SCALE)) / (1 - np.exp(-1 / CURVE_PRIOR_SCALE))


@dataclass(frozen=True)
class Delays:
    """A group of shares as the curve needs them: each share's u = age / horizon (at most 1),
    and each event's u = delay / horizon with its weight (a split pledge counts once)."""

    shares: np.ndarray
    events: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, histories: Iterable[History]) -> Delays:
        share_u: list[float] = []
        event_u: list[float] = []
        weight: list[float] = []
        for h in histories:
            span = float(HORIZON_WINDOWS * h.window_days)  # horizon(h), inlined: every share
            share_u.append(min(h.age_days / span, 1.0))
            if not h.credits:  # most shares
                continue
            for credit in h.credits:
                if credit[1] > 0:
                    event_u.append(min(credit[0] / span, 1.0))
                    weight.append(credit[2] if len(credit) > 2 else 1.0)
        return cls(np.asarray(share_u), np.asarray(event_u), np.asarray(weight))

    @classmethod
    def joined(cls, parts: Sequence[Delays]) -> Delays:
        if not parts:
            return cls(np.zeros(0), np.zeros(0), np.zeros(0))
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


_FIELDS = ("shares", "events", "weights")


def observed_curve(histories: Iterable[History] | Delays) -> tuple[np.ndarray | None, int]:
    """(F on GRID, events behind it) from the shares' own events, or (None, 0) when fewer
    than MIN_MATURED shares have reached their horizon (the curve's end is then unknown)."""
    d = histories if isinstance(histories, Delays) else Delays.of(histories)
    if not d.events.size:
        return None, 0
    shares = np.sort(d.shares)
    if shares.size - np.searchsorted(shares, 1.0, side="left") < MIN_MATURED:
        return None, 0
    order = np.argsort(d.events)
    events = d.events[order]
    at_risk = shares.size - np.searchsorted(shares, events, side="left")
    cumulative = np.concatenate([[0.0], np.cumsum(d.weights[order] / np.maximum(at_risk, 1))])
    intensity = cumulative[np.searchsorted(events, GRID, side="right")]
    return intensity / intensity[-1], round(float(d.weights.sum()))


def delay_curve(histories: Iterable[History] | Delays) -> np.ndarray:
    """F on GRID: the observed curve blended with the default by how many delays were seen."""
    prior = prior_curve()
    observed, n = observed_curve(histories)
    if observed is None:
        return prior
    return (n * observed + CURVE_PRIOR_EVENTS * prior) / (n + CURVE_PRIOR_EVENTS)


def blended(items: Sequence[History] | Delays, pooled: np.ndarray) -> np.ndarray:
    """The own curve of `items` where they have seen enough delays, else the pooled one."""
    own, n = observed_curve(items)
    if own is None:
        return pooled
    w = n / (n + CURVE_PRIOR_EVENTS)
    return w * own + (1 - w) * pooled


def exposures(items: Sequence[History], curve: np.ndarray) -> list[float]:
    """Each share's exposure F(age / horizon): one interpolation for all of them."""
    ages = np.clip([h.age_days / (HORIZON_WINDOWS * h.window_days) for h in items], 0.0, 1.0)
    return np.interp(ages, GRID, curve).tolist()


def exposure(h: History, curve: np.ndarray) -> float:
    """The fraction of its eventual value a share of this age has usually earned."""
    return exposures([h], curve)[0]
