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

Pure: numbers in, numbers out; reports/timing.py reads the database.
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
SCALE_TEMPERATURE = 10.0
DRAWS = 300
BURN_IN = 60
LEVEL = 0.8


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
    """The money of ref-less pledges put down to each channel and to no share (the baseline).

    `per_pledge` holds each pledge's expected share per cause (rows: pledges; columns: the
    channels in order, then the baseline), `draws` the money per cause in each posterior draw
    for the pledges the caller sums over."""

    channels: list[str]
    per_pledge: np.ndarray
    draws_per_pledge: np.ndarray  # draws × pledges: index of the cause drawn
    kernel: Kernel
    scale: float

    def money(self, amounts: np.ndarray, mask: np.ndarray | None = None) -> dict:
        """{cause: (expected, low, high)} of the pledges in `mask`, minor units; cause None is
        the baseline."""
        mask = np.ones(len(amounts), bool) if mask is None else mask
        causes = [*self.channels, None]
        expected = (self.per_pledge[mask] * amounts[mask, None]).sum(axis=0)
        out = {}
        for j, cause in enumerate(causes):
            sums = ((self.draws_per_pledge[:, mask] == j) * amounts[mask]).sum(axis=1)
            low, high = (
                np.quantile(sums, [(1 - LEVEL) / 2, (1 + LEVEL) / 2]) if len(sums) else (0, 0)
            )
            point = int(round(expected[j]))
            # A skewed few pledges can leave the mean outside the draws' middle 80%: the
            # interval always holds the figure it is shown with.
            out[cause] = (point, min(int(math.floor(low)), point), max(int(math.ceil(high)), point))
        return out


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
    seed: int = 0,
) -> Credit:
    """Fit the model to ref-less pledges (their hour indexes on the clicks' grid) and draw each
    pledge's cause. `clicks`: channels × hours of human clicks."""
    rng = np.random.default_rng(seed)
    hours = clicks.shape[1]
    n = len(pledge_hours)
    fits = []
    for scale in SCALES:
        K = exposure(clicks, kernel.scaled(scale))
        fits.append((scale, K, *_em(K, pledge_hours, hours)))
    loglik = np.array([f[4] for f in fits])
    weights = np.exp((loglik - loglik.max()) / SCALE_TEMPERATURE)
    weights /= weights.sum()
    best = int(np.argmax(weights))
    per_pledge = np.zeros((n, len(channels) + 1))
    draws = []
    counts = rng.multinomial(DRAWS, weights)
    for (_scale, K, beta, mu, _ll), m in zip(fits, counts, strict=True):
        if m == 0:
            continue
        resp, sampled = _gibbs(K, pledge_hours, hours, beta, mu, m, rng)
        per_pledge += resp * (m / DRAWS)
        draws.append(sampled)
    return Credit(
        channels,
        per_pledge,
        np.concatenate(draws) if draws else np.zeros((0, n), int),
        kernel,
        fits[best][0],
    )


BASELINE_SHAPE = 2.0  # how closely each day's baseline keeps to the campaign's typical day


def _days(at: np.ndarray, hours: int) -> tuple[np.ndarray, np.ndarray]:
    """Each pledge's day index, and the hours each day has on the grid."""
    days = (hours + 23) // 24
    length = np.full(days, 24.0)
    length[-1] = hours - 24 * (days - 1)
    return at // 24, length


def _typical(n: int, hours: int) -> float:
    """The baseline prior's mean per hour: half the ref-less pledges from no share. Each day's
    baseline may move well away from it (Gamma of shape BASELINE_SHAPE); the mean only keeps a
    day's baseline from collapsing to nothing where a smeared channel could take its place."""
    return max(n, 1) / hours / 2


def _priors(K: np.ndarray, n: int, hours: int) -> tuple[float, np.ndarray]:
    """A weak Gamma prior on each β: shape 0.5, its mean as if every pledge came from it."""
    shape = 0.5
    return shape, shape * np.maximum(K.sum(axis=1), 1e-9) / max(n, 1)


def _em(K: np.ndarray, at: np.ndarray, hours: int, steps: int = 200):
    """Posterior-mode β and each day's baseline μ_d by EM; returns (β, μ per day, log-lik)."""
    n = len(at)
    a, b_rate = _priors(K, n, hours)
    day, length = _days(at, hours)
    typical = _typical(n, hours)
    total = K.sum(axis=1)
    Ki = K[:, at].T  # pledges × channels
    beta = np.full(K.shape[0], max(n, 1) / max(total.sum(), 1e-9) / 2)
    mu = np.full(len(length), max(n, 1) / hours / 2)
    for _ in range(steps):
        rate = Ki * beta
        base = mu[day]
        lam = rate.sum(axis=1) + base
        beta = np.maximum((rate / lam[:, None]).sum(axis=0) + a - 1, 0) / (total + b_rate)
        per_day = np.bincount(day, weights=base / lam, minlength=len(length))
        mu = (per_day + BASELINE_SHAPE - 1) / (length + BASELINE_SHAPE / typical)
    lam = Ki @ beta + mu[day]
    loglik = float(np.log(np.maximum(lam, 1e-300)).sum() - (total @ beta + mu @ length))
    return beta, mu, loglik


def _gibbs(K, at, hours, beta, mu, draws: int, rng):
    """Posterior draws of each pledge's cause; returns (mean responsibilities, causes drawn)."""
    n, channels = len(at), K.shape[0]
    a, b_rate = _priors(K, n, hours)
    day, length = _days(at, hours)
    typical = _typical(n, hours)
    total = K.sum(axis=1)
    Ki = K[:, at].T
    resp_sum = np.zeros((n, channels + 1))
    kept = np.empty((draws, n), dtype=np.int16)
    for step in range(BURN_IN + draws):
        rate = np.column_stack([Ki * beta, mu[day]])
        p = rate / rate.sum(axis=1, keepdims=True)
        cause = (p.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1)
        cause = np.minimum(cause, channels)
        counts = np.bincount(cause, minlength=channels + 1)
        beta = rng.gamma(a + counts[:channels], 1.0 / (total + b_rate))
        base = np.bincount(day[cause == channels], minlength=len(length))
        mu = rng.gamma(BASELINE_SHAPE + base, 1.0 / (length + BASELINE_SHAPE / typical))
        if step >= BURN_IN:
            resp_sum += p
            kept[step - BURN_IN] = cause
    return resp_sum / draws, kept
