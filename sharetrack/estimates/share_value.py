"""The per-share value estimate: pure statistics over plain data (see docs/estimate.md).

Model, per campaign and channel: a share earns credit events (a pledge crediting it) at rate
lambda per matured share, each event of a size drawn from a heavy-tailed distribution.
- Maturity: a share's exposure is F(age), the share of value that has usually arrived by its
  age, learned from fully matured shares and pooled where thin.
- Small samples: lambda has a Gamma prior centred on what the channel earns in other campaigns
  (else the campaign's other channels, else everything), with an empirical-Bayes strength; the
  mean event size is shrunk toward the same pool.
- Heavy tails: the 90% interval comes from Monte Carlo draws of the Gamma posterior times a
  bootstrap of event sizes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import effects
from .effects import Cell

LEVEL = 0.9
DRAWS = 4000
HORIZON_WINDOWS = 2  # a share is mature once 2 attribution windows have passed since it was made
CURVE_PRIOR_EVENTS = 30  # how many observed delays outweigh the default delay curve
CURVE_PRIOR_SCALE = 0.15  # default curve: most value arrives in the first 15% of the horizon
CURVE_BINS = 50
SIZE_PRIOR_EVENTS = 5.0  # pseudo-events toward the pool's sizes when it cannot be estimated
CAMPAIGN_BASIS_WEIGHT = 0.7  # own data weight at or above which the basis is "campaign"
EXACT_BOOTSTRAP_MAX = 400  # larger samples use the normal approximation of the bootstrap mean


class ShareHistory(NamedTuple):
    """One share: where it belongs, how old it is, and the credit it has earned so far.

    A NamedTuple, not a frozen dataclass: a campaign has one per share, and a frozen
    dataclass's checked __init__ made building them a visible part of a cold estimate.
    """

    campaign: str
    channel: str
    age_days: float
    window_days: int
    # (days from the share's creation to the pledge, credited minor units), one per pledge
    credits: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Estimate:
    estimate_minor: int
    low_minor: int
    high_minor: int
    shares: int
    basis: str  # "campaign", "pooled" or "prior"
    level: float = LEVEL
    own_weight: float = 0.0


def delay_curve(histories: Iterable[ShareHistory]) -> np.ndarray:
    """F on CURVE_BINS+1 points of u = age / horizon in [0, 1], learned from matured shares.

    Only shares past their horizon are used, so no delay is cut short (no censoring bias). The
    empirical curve is blended with a default exponential curve, weighted by how many delays
    were seen, so a thin history leans on the default.
    """
    grid = np.linspace(0.0, 1.0, CURVE_BINS + 1)
    delays = [
        min(delay / horizon(h), 1.0)
        for h in histories
        if h.credits and h.age_days >= horizon(h)  # most shares have no credit: skip them first
        for delay, amount in h.credits
        if amount > 0
    ]
    prior = (1 - np.exp(-grid / CURVE_PRIOR_SCALE)) / (1 - np.exp(-1 / CURVE_PRIOR_SCALE))
    if not delays:
        return prior
    observed = np.searchsorted(np.sort(delays), grid, side="right") / len(delays)
    n = len(delays)
    return (n * observed + CURVE_PRIOR_EVENTS * prior) / (n + CURVE_PRIOR_EVENTS)


def horizon(h: ShareHistory) -> float:
    """Age in days at which a share counts as matured."""
    return float(HORIZON_WINDOWS * h.window_days)


def exposure(h: ShareHistory, curve: np.ndarray) -> float:
    """The fraction of its eventual value a share of this age has usually earned."""
    u = min(max(h.age_days / horizon(h), 0.0), 1.0)
    return float(np.interp(u, np.linspace(0.0, 1.0, len(curve)), curve))


def estimate_all(
    histories: Sequence[ShareHistory],
    channels: Iterable[str],
    campaign: str,
    seed_text: str = "",
) -> dict[str, Estimate]:
    """An estimate for each of `channels` in `campaign`, using every campaign's history."""
    return estimate_many(histories, channels, [campaign], seed_text)[campaign]


def estimate_many(
    histories: Sequence[ShareHistory],
    channels: Iterable[str],
    campaigns: Iterable[str],
    seed_text: str = "",
) -> dict[str, dict[str, Estimate]]:
    """estimate_all for several campaigns, fitting the effects once."""
    groups = _groups(histories)
    fitted = effects.fit(groups)
    channels = list(channels)
    return {
        campaign: {
            channel: _estimate_one(fitted, groups, campaign, channel, seed_text)
            for channel in channels
        }
        for campaign in campaigns
    }


def _groups(histories: Sequence[ShareHistory]) -> dict[tuple[str, str], Cell]:
    by_campaign: dict[str, list[ShareHistory]] = defaultdict(list)
    for h in histories:
        by_campaign[h.campaign].append(h)
    pooled_curve = delay_curve(histories)
    # Delays are people's, not the window's: campaigns with another window spread them
    # differently over the horizon, so each window length pools its own campaigns first.
    by_window: dict[int, list[ShareHistory]] = defaultdict(list)
    for items in by_campaign.values():
        by_window[items[0].window_days].extend(items)
    window_curves = {w: _campaign_curve(items, pooled_curve) for w, items in by_window.items()}
    groups: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for items in by_campaign.values():
        curve = _campaign_curve(items, window_curves[items[0].window_days])
        # exposure() for every share at once: one interpolation per campaign, not per share.
        ages = np.clip([h.age_days / horizon(h) for h in items], 0.0, 1.0)
        exposures = np.interp(ages, np.linspace(0.0, 1.0, len(curve)), curve).tolist()
        for h, e in zip(items, exposures, strict=True):
            g = groups[(h.campaign, h.channel)]
            g.shares += 1
            g.exposure += e
            for _delay, amount in h.credits:
                if amount > 0:
                    if g.sizes is None:
                        g.sizes = []
                    g.sizes.append(float(amount))
    return groups


def _campaign_curve(items: list[ShareHistory], pooled: np.ndarray) -> np.ndarray:
    """The own delay curve of `items` where they have seen enough delays, else the pooled one."""
    matured_events = sum(
        1 for h in items if h.credits and h.age_days >= horizon(h) for _d, a in h.credits if a > 0
    )
    if matured_events == 0:
        return pooled
    own = delay_curve(items)
    w = matured_events / (matured_events + CURVE_PRIOR_EVENTS)
    return w * own + (1 - w) * pooled


def _estimate_one(fitted, groups, campaign: str, channel: str, seed_text: str) -> Estimate:
    own = groups.get((campaign, channel), Cell())
    if fitted is None:  # no event anywhere yet: nothing has ever been credited
        return Estimate(0, 0, 0, own.shares, "prior" if own.shares == 0 else "pooled")
    prior = fitted.prior(campaign, channel)
    alpha = prior.shape + own.events
    beta = prior.rate + own.exposure
    own_weight = own.exposure / (own.exposure + prior.rate)
    if own.shares == 0:
        basis = "prior"
    elif own_weight >= CAMPAIGN_BASIS_WEIGHT:
        basis = "campaign"
    else:
        basis = "pooled"
    rng = np.random.default_rng(_seed(seed_text, campaign, channel))
    size_mean, size_draws = _size_draws(
        own.sizes or [], fitted.size_pool * prior.size_mean, rng, prior.size_events, fitted.smear
    )
    rate_draws = rng.gamma(alpha, 1.0 / beta, DRAWS)
    values = rate_draws * size_draws
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    point = alpha / beta * size_mean
    return Estimate(
        int(round(point)),
        int(round(low)),
        int(round(high)),
        own.shares,
        basis,
        own_weight=own_weight,
    )


def _size_draws(
    own: list[float], pool, rng, strength: float = SIZE_PRIOR_EVENTS, smear: float | None = None
) -> tuple[float, np.ndarray]:
    """Point and draws of the mean event size: own sizes shrunk toward the pool's by `strength`
    pseudo-events.

    The pseudo-events are uncertain like real ones: each draw mixes a bootstrap mean of the
    own sizes with the mean of `strength` sizes drawn from the pool, so with few own events
    the interval is as wide as campaigns' mean sizes really differ, not as narrow as the
    pool's mean is precise.
    """
    own_arr = np.asarray(own, dtype=float)
    pool_arr = np.asarray(pool, dtype=float)
    k = strength if pool_arr.size else 0.0
    n = own_arr.size
    if n + k == 0:
        return 0.0, np.zeros(DRAWS)
    pool_mean = float(pool_arr.mean()) if pool_arr.size else 0.0
    if smear is not None and n:
        # Heavy tails: the own sizes' geometric mean times the pool's mean-to-geometric-mean
        # ratio (Duan's smearing) is far steadier than their plain mean, which one big pledge
        # moves; the rare very large pledges still count, through the pool's ratio.
        logs = np.log(own_arr)
        own_sum = n * float(np.exp(logs.mean())) * smear
        own_boot = np.exp(_bootstrap_means(logs, rng)) * smear
    else:
        own_sum = float(own_arr.sum())
        own_boot = _bootstrap_means(own_arr, rng) if n else np.zeros(DRAWS)
    point = (own_sum + k * pool_mean) / (n + k)
    prior_boot = _bootstrap_means(pool_arr, rng, picks=max(1, round(k))) if k else np.zeros(DRAWS)
    draws = (n * own_boot + k * prior_boot) / (n + k)
    return point, draws


def _bootstrap_means(sample: np.ndarray, rng, picks: int | None = None) -> np.ndarray:
    """DRAWS means of `picks` values drawn with replacement (default: the sample's size)."""
    picks = sample.size if picks is None else picks
    if picks <= EXACT_BOOTSTRAP_MAX:
        return sample[rng.integers(0, sample.size, size=(DRAWS, picks))].mean(axis=1)
    spread = sample.std(ddof=1) / np.sqrt(picks)
    return np.maximum(rng.normal(sample.mean(), spread, DRAWS), 0.0)


def _seed(*parts: str) -> int:
    """Deterministic draws: the same data always gives the same figures (and ETag)."""
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")
