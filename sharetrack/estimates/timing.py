"""Attribution by timing: which channel's clicks a pledge without a ref most likely followed.

The model (docs/estimate.md, "Pledges without a ref"): on an hourly grid, the rate of ref-less
pledges is

    λ(h) = μ + Σ_c β_c · K_c(h),   K_c(h) = Σ_{h' ≤ h} x_c(h') · k_s(h − h')

x_c: the channel's human clicks per hour; k_s: the delay from click to pledge, a log-normal whose
shape is learned from pledges that carried a ref, with a free scale s (those pledges are biased
fast: a ref survives a quick pledge more often than a slow one); μ: pledges no share caused.

Fitting: for each scale on a grid, a Gibbs sampler over the latent cause of each pledge (a
channel or the baseline) with conjugate Gamma priors on β and μ; the scales are weighted by
their fitted likelihood. Each pledge's money goes to causes by the posterior draws: the point
figure is their mean, the interval their 10th and 90th percentiles. Where channels' clicks come
together, the draws swap their pledges freely and the intervals come out wide.

Pure: numbers in, numbers out; estimates/refless.py reads the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HOUR = 3600.0
MAX_LAG_HOURS = 21 * 24  # a pledge three weeks after a click is no longer put down to it
# Without any ref-carrying pledge: a median delay of 6 hours, spread over minutes to days.
PRIOR_LOG_MEDIAN = math.log(6.0)
PRIOR_LOG_SD = 1.5
MIN_DELAYS = 20  # ref-carrying delays needed to learn the shape rather than use the prior
SCALES = (1.0, 1.6, 2.5, 4.0, 6.5)  # the kernel's free scale: learned delays times this
# The scales are weighted by their likelihood flattened by this: the delay's shape is itself
# uncertain (the fit treats it as known), so no one scale should take every draw.
SCALE_TEMPERATURE = 20.0
MIN_SCALE_WEIGHT = 0.01
DRAWS = 200
BURN_IN = 40
LEVEL = 0.8
# Part of every cached result's name (estimates/refless.py): a changed model is never served an
# older model's figures.
MODEL_VERSION = 2


@dataclass(frozen=True)
class Kernel:
    """A log-normal delay in hours: log-median and log-sd."""

    log_median: float
    log_sd: float

    def scaled(self, scale: float) -> Kernel:
        return Kernel(self.log_median + math.log(scale), self.log_sd)

    def masses(self, hours: int = MAX_LAG_HOURS) -> np.ndarray:
        """P(delay in [d, d+1) hours) for d = 0 … hours-1."""
        edges = np.arange(hours + 1, dtype=float)
        z = (np.log(np.maximum(edges, 1e-9)) - self.log_median) / (self.log_sd * math.sqrt(2))
        cdf = 0.5 * (1 + _erf(z))
        cdf[0] = 0.0
        return np.diff(cdf)


def _erf(z: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf)(z)


def learn_kernel(delays_hours: list[float]) -> tuple[Kernel, str]:
    """The delay's shape from ref-carrying pledges' delays (hours), or the written prior.

    Returns the kernel and where it came from ("learned" or "prior")."""
    positive = [d for d in delays_hours if d > 0]
    if len(positive) < MIN_DELAYS:
        return Kernel(PRIOR_LOG_MEDIAN, PRIOR_LOG_SD), "prior"
    logs = np.log(np.maximum(positive, 1.0 / 60))
    return Kernel(float(np.median(logs)), max(float(np.std(logs)), 0.5)), "learned"


@dataclass
class Credit:
    """The money of the ref-less pledges asked about, put down to each channel and to no share
    (the baseline, cause None): {cause: (expected, low, high)} in minor units. `per_pledge`:
    each pledge's expected share per cause (rows: pledges; columns: channels, then baseline)."""

    channels: list[str]
    per_pledge: np.ndarray
    figures: dict
    kernel: Kernel
    scale: float

    def money(self) -> dict:
        return self.figures


def exposure(clicks: np.ndarray, kernel: Kernel) -> np.ndarray:
    """K_c(h) per channel: clicks (channels × hours) spread forward by the delay kernel."""
    k = kernel.masses(min(MAX_LAG_HOURS, clicks.shape[1]))
    out = np.empty_like(clicks, dtype=float)
    for c in range(clicks.shape[0]):
        out[c] = np.convolve(clicks[c], k)[: clicks.shape[1]]
    return out


def attribute(
    channels: list[str],
    clicks: np.ndarray,
    pledge_hours: np.ndarray,
    kernel: Kernel,
    amounts: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    seed: int = 0,
) -> Credit:
    """Fit the model to ref-less pledges (their hour indexes on the clicks' grid) and put the
    money of those in `mask` (all by default) down to causes. `clicks`: channels × hours.

    Pledges of one hour share their causes' odds, so the fit works on the hours with pledges:
    its cost grows with the campaign's hours, not its pledges."""
    rng = np.random.default_rng(seed)
    hours = clicks.shape[1]
    n = len(pledge_hours)
    amounts = np.ones(n) if amounts is None else np.asarray(amounts, dtype=float)
    mask = np.ones(n, bool) if mask is None else mask
    at, index, count = np.unique(pledge_hours, return_inverse=True, return_counts=True)
    money_1 = np.bincount(index, weights=amounts * mask, minlength=len(at))
    money_2 = np.bincount(index, weights=amounts**2 * mask, minlength=len(at))
    fits = []
    for scale in SCALES:
        full = exposure(clicks, kernel.scaled(scale))
        K = Exposure(full[:, at].T, full.sum(axis=1), at // 24, count, _days(hours), n)
        fits.append((scale, K, *_em(K)))
    loglik = np.array([f[4] for f in fits])
    weights = np.exp((loglik - loglik.max()) / SCALE_TEMPERATURE)
    weights[weights < MIN_SCALE_WEIGHT * weights.max()] = 0.0  # not worth a chain of draws
    weights /= weights.sum()
    per_hour = np.zeros((len(at), len(channels) + 1))
    draws = []
    for (_scale, K, beta, mu, _ll), m in zip(fits, rng.multinomial(DRAWS, weights), strict=True):
        if m:
            resp, sampled = _gibbs(K, beta, mu, m, (money_1, money_2), rng)
            per_hour += resp * (m / DRAWS)
            draws.append(sampled)
    expected = per_hour.T @ money_1
    sums = np.concatenate(draws)
    low, high = np.quantile(sums, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=0)
    figures = {}
    for j, cause in enumerate([*channels, None]):
        point = int(round(expected[j]))
        # A skewed few pledges can leave the mean outside the draws' middle 80%: the
        # interval always holds the figure it is shown with.
        figures[cause] = (
            point,
            min(int(math.floor(low[j])), point),
            max(int(math.ceil(high[j])), point),
        )
    best = fits[int(np.argmax(weights))][0]
    return Credit(channels, per_hour[index], figures, kernel, best)


BASELINE_SHAPE = 2.0  # how closely each day's baseline keeps to the campaign's typical day


def _days(hours: int) -> np.ndarray:
    """The hours each day of the grid has."""
    days = (hours + 23) // 24
    length = np.full(days, 24.0)
    length[-1] = hours - 24 * (days - 1)
    return length


def _typical(n: int, hours: int) -> float:
    """The baseline prior's mean per hour: half the ref-less pledges from no share. Each day's
    baseline may move well away from it (Gamma of shape BASELINE_SHAPE); the mean only keeps a
    day's baseline from collapsing to nothing where a smeared channel could take its place."""
    return max(n, 1) / hours / 2


def _priors(K: Exposure) -> tuple[float, np.ndarray]:
    """A weak Gamma prior on each β: shape 0.5, its mean as if every pledge came from it."""
    shape = 0.5
    return shape, shape * np.maximum(K.total, 1e-9) / max(K.n, 1)


@dataclass(frozen=True)
class Exposure:
    """The fit's data: each pledge hour's exposure per channel (hours × channels), every
    channel's exposure summed over the grid, each pledge hour's day and pledge count, each
    day's hours, and the number of pledges."""

    at: np.ndarray
    total: np.ndarray
    day: np.ndarray
    count: np.ndarray
    length: np.ndarray
    n: int


def _em(K: Exposure, steps: int = 150):
    """Posterior-mode β and each day's baseline μ_d by EM; returns (β, μ per day, log-lik)."""
    a, b_rate = _priors(K)
    typical = _typical(K.n, int(K.length.sum()))
    beta = np.full(K.at.shape[1], max(K.n, 1) / max(K.total.sum(), 1e-9) / 2)
    mu = np.full(len(K.length), typical)
    for _ in range(steps):
        rate = K.at * beta
        base = mu[K.day]
        lam = rate.sum(axis=1) + base
        share = K.count / lam
        new_beta = np.maximum(rate.T @ share + a - 1, 0) / (K.total + b_rate)
        per_day = np.bincount(K.day, weights=base * share, minlength=len(K.length))
        mu = (per_day + BASELINE_SHAPE - 1) / (K.length + BASELINE_SHAPE / typical)
        converged = np.allclose(new_beta, beta, rtol=1e-5, atol=1e-12)
        beta = new_beta
        if converged:
            break
    lam = K.at @ beta + mu[K.day]
    loglik = float(K.count @ np.log(np.maximum(lam, 1e-300)) - (K.total @ beta + mu @ K.length))
    return beta, mu, loglik


def _gibbs(K: Exposure, beta, mu, draws: int, money, rng):
    """Posterior draws: each pledge hour's pledges shared among causes (multinomial), then the
    rates (conjugate Gamma). Returns (mean odds per pledge hour and cause, money per cause in
    each draw). `money`: the asked-about pledges' amounts and squared amounts per pledge hour;
    within a draw, a cause's money is their sum over independent pledges (normal)."""
    channels = K.at.shape[1]
    a, b_rate = _priors(K)
    typical = _typical(K.n, int(K.length.sum()))
    money_1, money_2 = money
    resp_sum = np.zeros((len(K.count), channels + 1))
    sums = np.empty((draws, channels + 1))
    for step in range(BURN_IN + draws):
        rate = np.column_stack([K.at * beta, mu[K.day]])
        p = rate / rate.sum(axis=1, keepdims=True)
        split = rng.multinomial(K.count, p)  # pledge hours × causes
        counts = split.sum(axis=0)
        beta = rng.gamma(a + counts[:channels], 1.0 / (K.total + b_rate))
        base = np.bincount(K.day, weights=split[:, channels], minlength=len(K.length))
        mu = rng.gamma(BASELINE_SHAPE + base, 1.0 / (K.length + BASELINE_SHAPE / typical))
        if step >= BURN_IN:
            resp_sum += p
            mean = money_1 @ p
            spread = np.sqrt(money_2 @ (p * (1 - p)))
            drawn = mean + spread * rng.standard_normal(channels + 1)
            sums[step - BURN_IN] = np.clip(drawn, 0, money_1.sum())
    return resp_sum / draws, sums
