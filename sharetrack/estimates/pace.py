"""The forecast's pieces (docs/estimate.md): candidate pace shapes weighed by the campaign's own
daily counts, recent days weighing more, and a robust model of pledge sizes.

A shape is a cumulative curve G on GRID: the share of a campaign's pledges made by each
fraction u of its life. The prior family mixes three parts (a steady pace, a front-loaded
decay and an end surge, the deadline rise reported for crowdfunding), so that it holds steady,
front-loaded, U-shaped and end-surge campaigns alike; the organisation's ended campaigns add
their own curves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GRID = np.linspace(0.0, 1.0, 121)
STEEPNESS = (2.0, 4.0, 8.0)  # how fast a front-loaded pace fades, or an end surge rises
MIX = 0.25  # the step of the mixtures' weights (steady, early, late)
LATE_PENALTY = 0.6
PRIOR_CAMPAIGNS = 3.0  # how many ended campaigns weigh as much as the whole prior family
DISPERSION = 8.0  # the daily counts' negative binomial size: days vary beyond Poisson
CAP = 5.0  # a pledge counts at most this many times the median pledge in the mean size
# The spread (log scale) of a broad prior on a campaign's final count around the steady
# extrapolation (so far / share of the life gone): a candidate implying 10 times that is
# weighed down by e^-0.66, one implying a billion times by e^-54 (pace.fit).
TOTAL_PRIOR_SIGMA = 2.0
MIN_CV, MAX_CV, DEFAULT_CV = 0.3, 3.0, 1.0  # the pledge sizes' coefficient of variation

_lgamma = np.vectorize(math.lgamma, otypes=[float])


def _early(k: float) -> np.ndarray:
    return (1 - np.exp(-k * GRID)) / (1 - math.exp(-k))


def _late(k: float) -> np.ndarray:
    return (np.exp(-k * (1 - GRID)) - math.exp(-k)) / (1 - math.exp(-k))


def prior_shapes() -> tuple[np.ndarray, np.ndarray]:
    """Every mixture of steady, front-loaded and end-surge paces (weights in steps of MIX), and
    each one's prior mass: a surge that has not begun looks like a steady pace until it does,
    so each quarter of the pledges left to a surge takes LATE_PENALTY of the mass. The steady
    pace comes once per steepness: a third of the mass of pure fades and surges is on it."""
    steps = np.arange(0.0, 1.0 + 1e-9, MIX)
    shapes, masses = [], []
    for k in STEEPNESS:
        for early in steps:
            for late in steps:
                if early + late <= 1 + 1e-9:
                    flat = 1 - early - late
                    shapes.append(flat * GRID + early * _early(k) + late * _late(k))
                    masses.append(LATE_PENALTY ** (late / MIX))
    masses = np.asarray(masses)
    return np.asarray(shapes), masses / masses.sum()


PRIOR_SHAPES, PRIOR_MASS = prior_shapes()


def at(curves: np.ndarray, u: np.ndarray | float) -> np.ndarray:
    """Each curve's value at each fraction u (curves: K × GRID; answer K × len(u))."""
    u = np.clip(np.atleast_1d(np.asarray(u, dtype=float)), 0.0, 1.0)
    position = u * (len(GRID) - 1)
    i = np.minimum(position.astype(int), len(GRID) - 2)
    w = position - i
    return curves[:, i] * (1 - w) + curves[:, i + 1] * w


@dataclass(frozen=True)
class Fit:
    """The candidate shapes, their posterior weights, and each one's recency-weighted evidence
    about the pace: `weighted_count` pledges over `exposure` of its curve (per candidate)."""

    shapes: np.ndarray
    weights: np.ndarray
    weighted_count: float
    exposure: np.ndarray


def fit(
    counts: np.ndarray,
    bounds: np.ndarray,
    ages: np.ndarray,
    half_life: float,
    history: Sequence[np.ndarray] = (),
    shapes: np.ndarray | None = None,
) -> Fit:
    """Weigh each candidate shape by the likelihood of the daily counts so far.

    counts: pledges per day; bounds: each day's (start, end) fraction of the life; ages: how
    many days ago each day was. Each day weighs 2^(−age / half_life) in the likelihood and in
    the pace, so the recent pace counts most.
    """
    prior = PRIOR_SHAPES if shapes is None else shapes
    candidates = np.vstack([prior, *history]) if len(history) else prior
    mass = PRIOR_CAMPAIGNS * (PRIOR_MASS if shapes is None else np.full(len(prior), 1 / len(prior)))
    if len(history):
        mass = np.concatenate([mass, np.ones(len(history))])
    recency = np.power(0.5, ages / max(half_life, 1e-9))
    share = np.maximum(at(candidates, bounds[:, 1]) - at(candidates, bounds[:, 0]), 1e-12)
    weighted = float(np.sum(recency * counts))
    exposure = share @ recency
    # The shape's likelihood, each candidate at its own best level.
    mean = (counts.sum() + 0.5) / share.sum(axis=1)[:, None] * share
    r = DISPERSION
    daily = (
        _lgamma(counts + r)[None, :] - math.lgamma(r) - _lgamma(counts + 1)[None, :]
        + r * np.log(r / (r + mean)) + counts[None, :] * np.log(mean / (r + mean))
    )  # fmt: skip
    # A discounted likelihood: each day weighs its recency, scaled so that the days together
    # weigh as many as they are. The shape that matters is the one the campaign follows now;
    # its launch days, the largest and noisiest, no longer decide alone.
    loglik = daily @ (recency / recency.mean())
    log_post = np.log(mass) + loglik + _total_prior(candidates, float(bounds[-1, 1]))
    weights = np.exp(log_post - log_post.max())
    # Days vary beyond Poisson: the pace is known as from fewer pledges than were made.
    overdispersion = 1 + weighted / max(float(recency.sum()), 1e-9) / DISPERSION
    return Fit(candidates, weights / weights.sum(), weighted / overdispersion,
               exposure / overdispersion)  # fmt: skip


def _total_prior(candidates: np.ndarray, u_now: float) -> np.ndarray:
    """Each candidate's log prior weight for the final count it implies.

    The likelihood above fits each candidate at its own level, so it cannot tell a shape by
    the total it implies: an ended campaign whose pledges all came late (its curve near 0 up
    to now) fits today's days as well as a steady one while implying a final count a billion
    times larger (so far / its share gone). A broad log-normal prior on the final count, around
    the steady extrapolation, leaves ordinary shapes nearly alone and such candidates out.
    """
    gone = np.maximum(at(candidates, u_now)[:, 0], 1e-12)
    log_ratio = np.log(max(u_now, 1e-9) / gone)
    return -0.5 * (log_ratio / TOTAL_PRIOR_SIGMA) ** 2


@dataclass(frozen=True)
class Sizes:
    """Pledge sizes: a robust mean `mean` and coefficient of variation `cv`, from `count`."""

    mean: float
    cv: float
    count: int

    def future_sum(self, pledges: np.ndarray, rng) -> np.ndarray:
        """Draws of the summed size of `pledges` pledges to come (one per draw)."""
        known = self.count / self.cv**2
        mean = self.mean * rng.gamma(known, 1 / known, len(pledges))
        shape = np.maximum(pledges, 1) / self.cv**2
        return np.where(pledges > 0, mean * pledges * rng.gamma(shape, 1 / shape), 0.0)


def sizes(counts: np.ndarray, amounts: np.ndarray) -> Sizes:
    """A winsorised mean size: each day's pledges count at most CAP times the median pledge
    (the count-weighted median of the daily means), so one huge gift among many small ones
    does not set the size of every pledge to come; the spread from the days' capped means
    (a day of n pledges has a mean that varies as cv/√n)."""
    days = counts > 0
    n, total = counts[days], amounts[days]
    typical = max(_weighted_median(total / n, n), 1.0)
    capped = np.minimum(total, n * CAP * typical) / n
    mean = float(np.sum(capped * n) / n.sum())
    if len(n) > 1:
        cv = math.sqrt(float(np.sum(n * (capped - mean) ** 2)) / (len(n) - 1)) / mean
    else:
        cv = DEFAULT_CV
    return Sizes(mean, float(np.clip(cv, MIN_CV, MAX_CV)), int(n.sum()))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
