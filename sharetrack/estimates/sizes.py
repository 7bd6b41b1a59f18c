"""Mean pledge size per (campaign, channel): a location on the log scale times a tail ratio.

Pure statistics (docs/estimate.md, "3. Event size"). Log sizes are

    log x = m + μ_c + ν_h + δ_ch + ε

campaign effect μ_c, channel effect ν_h, cell deviation δ_ch (normal random effects whose
variances come by the method of moments), ε the spread of single pledges. A cell's location
exp(m + μ_c + ν_h + δ_ch) is estimated on the log scale, where one large pledge moves it little.
Its *mean* is the location times the tail ratio E[e^ε] of the cell's channel, measured on that
channel's own pledges (all campaigns), not on the pool's: a channel of fixed £10 gifts keeps a
ratio near 1 in a pool of heavy-tailed gifts. The model's mean is then blended with the cell's
plain mean worth PLAIN_EVENTS pseudo-events, so a cell whose tail differs from its channel's
elsewhere converges to its own mean as its pledges grow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

ITERATIONS = 8
# Never assume effects closer than these standard deviations (log scale): a dozen campaigns
# cannot show that they are alike, and a too tight prior under-covers.
MIN_SD = {"campaign": 0.15, "channel": 0.2, "cell": 0.1, "ratio": 0.1}
DEFAULT_SD = {"campaign": 0.4, "channel": 0.5, "cell": 0.2, "ratio": 0.3}
MISFIT_SD = 0.2  # how far (log scale) a real tail's mean may stray from a log-normal's
VARIANCE_PRIOR_DOF = 10.0  # a channel's spread of log sizes leans on the pool's this much
EXACT_MAX = 400  # larger samples use the normal approximation of the bootstrap mean
PLAIN_EVENTS = 200.0


@dataclass(frozen=True)
class CellSizes:
    """One cell's pledges: count, sum of logs, sum of squared logs, sum of amounts (each
    weighing its fraction where a model split it)."""

    n: float
    log_sum: float
    log_sq: float
    money: float

    @property
    def log_mean(self) -> float:
        return self.log_sum / self.n


@dataclass(frozen=True)
class SizeModel:
    """The fitted size model; `cell()` gives a cell's mean size, leaving its own data out of
    its prior."""

    cells: dict[tuple[str, str], CellSizes]
    m: float
    mu: dict[str, float]
    nu: dict[str, float]
    var: dict[str, float]  # "campaign", "channel", "cell" effect variances; "event": σ²
    ratio: dict[str, tuple[float, float]]  # channel → (tail ratio, its standard error)
    pool_ratio: tuple[float, float]
    sums: tuple[dict, dict]  # per campaign and per channel: (weight, weighted residual) sums
    event_var: dict[str, float]  # σ_h²: each channel's own spread of log sizes (leaning on σ²)

    def location(self, campaign: str, channel: str) -> tuple[float, float]:
        """The cell's prior log location and its variance, from everything but the cell."""
        mu, var_mu = self._effect(campaign, channel, by=0)
        nu, var_nu = self._effect(channel, campaign, by=1)
        return self.m + mu + nu, self.var["cell"] + var_mu + var_nu

    def _effect(self, key: str, other: str, by: int) -> tuple[float, float]:
        """μ_c (by=0) or ν_h (by=1) from the group's other cells, and its posterior variance."""
        prior = 1 / self.var["campaign" if by == 0 else "channel"]
        weight, total = self.sums[by].get(key, (0.0, 0.0))
        own = self.cells.get((key, other) if by == 0 else (other, key))
        if own is not None:  # leave the cell's own data out
            w, t = _term(own, self.var, self.m + (self.nu[other] if by == 0 else self.mu[other]))
            weight, total = weight - w, total - t
        return total / (weight + prior), 1 / (weight + prior)

    def cell(self, campaign: str, channel: str, own: Sizes, rng, draws: int):
        """(point, draws) of the cell's mean size given its own (sizes, weights)."""
        theta0, v0 = self.location(campaign, channel)
        x, w = _arrays(own)
        n = float(w.sum())
        spread = self.event_var.get(channel, self.var["event"])
        precision = 1 / v0 + n / spread
        log_own = float(w @ np.log(x)) if x.size else 0.0
        theta = (theta0 / v0 + log_own / spread) / precision
        ratio, ratio_se = self.ratio.get(channel, self.pool_ratio)
        model = float(np.exp(theta + 0.5 / precision)) * ratio
        k = PLAIN_EVENTS
        point = (float(w @ x) + k * model) / (n + k)
        theta_b = rng.normal(theta, np.sqrt(1 / precision), draws)
        ratio_b = np.maximum(rng.normal(ratio, ratio_se, draws), 0.05 * ratio)
        model_b = np.exp(theta_b) * ratio_b
        own_b = n * bootstrap_means(x, w, rng, draws) if x.size else 0.0
        return point, (own_b + k * model_b) / (n + k)


Sizes = tuple[list[float], list[float] | None]  # a cell's sizes and their weights (None: all 1)


def _arrays(own: Sizes) -> tuple[np.ndarray, np.ndarray]:
    values, weights = own
    x = np.maximum(np.asarray(values, dtype=float), 1e-9)
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=float)
    return x, w


def bootstrap_means(x: np.ndarray, w: np.ndarray, rng, draws: int) -> np.ndarray:
    """`draws` weighted means of the sample resampled with replacement (normal beyond
    EXACT_MAX)."""
    if x.size <= EXACT_MAX:
        picks = rng.integers(0, x.size, size=(draws, x.size))
        return (x[picks] * w[picks]).sum(axis=1) / w[picks].sum(axis=1)
    mean = float(w @ x / w.sum())
    spread = np.sqrt(float(w @ (x - mean) ** 2 / w.sum()) / x.size)
    return np.maximum(rng.normal(mean, spread, draws), 0.0)


def fit(sizes: dict[tuple[str, str], Sizes]) -> SizeModel:
    """The size model from every cell's sizes (cells without sizes are left out)."""
    cells = {}
    for key, own in sizes.items():
        if own[0]:
            x, w = _arrays(own)
            logs = np.log(x)
            cells[key] = CellSizes(float(w.sum()), float(w @ logs), float(w @ logs**2),
                                   float(w @ x))  # fmt: skip
    campaigns = sorted({c for c, _h in cells})
    channels = sorted({h for _c, h in cells})
    n_all = sum(c.n for c in cells.values())
    m = sum(c.log_sum for c in cells.values()) / n_all
    var = {"event": _event_variance(cells)}
    var |= {k: DEFAULT_SD[k] ** 2 for k in ("campaign", "channel", "cell")}
    mu = dict.fromkeys(campaigns, 0.0)
    nu = dict.fromkeys(channels, 0.0)
    for _ in range(ITERATIONS):
        nu, raw_nu = _effects(cells, var, "channel", 1, {k: m + mu[k[0]] for k in cells})
        mu, raw_mu = _effects(cells, var, "campaign", 0, {k: m + nu[k[1]] for k in cells})
        var["channel"] = _spread(raw_nu, "channel")
        var["campaign"] = _spread(raw_mu, "campaign")
        var["cell"] = _cell_spread(cells, var, m, mu, nu, len(campaigns) + len(channels) - 1)
    ratio, pool, event_var = _ratios(cells, sizes, var, m, mu, nu)
    by_campaign, _raw = _sums(cells, var, 0, {k: m + nu[k[1]] for k in cells})
    by_channel, _raw = _sums(cells, var, 1, {k: m + mu[k[0]] for k in cells})
    sums = (by_campaign, by_channel)
    return SizeModel(cells, m, mu, nu, var, ratio, pool, sums, event_var)


def _event_variance(cells: dict[tuple[str, str], CellSizes]) -> float:
    """σ²: the pooled within-cell variance of log sizes."""
    ss = sum(c.log_sq - c.log_sum**2 / c.n for c in cells.values())
    dof = sum(c.n - 1 for c in cells.values())
    return max(ss / dof, 0.01) if dof > 0 else 1.0


def _term(cell: CellSizes, var: dict[str, float], offset: float) -> tuple[float, float]:
    """A cell's precision weight as evidence on an effect, and its weighted residual."""
    w = 1 / (var["cell"] + var["event"] / cell.n)
    return w, w * (cell.log_mean - offset)


def _sums(cells, var, by: int, offset):
    """Per group (by=0 campaigns, 1 channels): (Σ weight, Σ weighted residual), and each
    group's raw estimate with its sampling variance (for the method of moments)."""
    sums: dict[str, tuple[float, float]] = {}
    for key, cell in cells.items():
        w, t = _term(cell, var, offset[key])
        old_w, old_t = sums.get(key[by], (0.0, 0.0))
        sums[key[by]] = (old_w + w, old_t + t)
    return sums, {g: (t / w, 1 / w) for g, (w, t) in sums.items()}


def _effects(cells, var, kind: str, by: int, offset):
    """Shrunk effects of each group given the other effects, and their raw estimates."""
    sums, raw = _sums(cells, var, by, offset)
    return {g: t / (w + 1 / var[kind]) for g, (w, t) in sums.items()}, raw


def _spread(raw: dict[str, tuple[float, float]], kind: str, weighted: bool = True) -> float:
    """An effect's variance by the method of moments, floored; the default with fewer than
    three groups. Weighted (DerSimonian–Laird: the raw estimates' spread beyond their sampling
    variances, each weighing by its precision) or not (Hedges: where a few very precise groups
    would hide a noisy one that truly differs)."""
    if len(raw) < 3:
        return DEFAULT_SD[kind] ** 2
    values = np.array([r for r, _v in raw.values()])
    noise = np.array([v for _r, v in raw.values()])
    if not weighted:
        spread = float(np.var(values, ddof=1) - noise.mean())
        return max(spread, MIN_SD[kind] ** 2)
    w = 1 / noise
    centre = float(np.sum(w * values) / w.sum())
    q = float(np.sum(w * (values - centre) ** 2))
    spread = (q - (len(values) - 1)) / float(w.sum() - np.sum(w**2) / w.sum())
    return max(spread, MIN_SD[kind] ** 2)


def _cell_spread(cells, var, m, mu, nu, fitted: int) -> float:
    """The cell deviation's variance: cells' log means around m + μ_c + ν_h beyond noise."""
    if len(cells) - fitted < 3:
        return DEFAULT_SD["cell"] ** 2
    excess = [
        (cell.log_mean - m - mu[c] - nu[h]) ** 2 - var["event"] / cell.n
        for (c, h), cell in cells.items()
    ]
    spread = float(np.mean(excess)) * len(cells) / (len(cells) - fitted)
    return max(spread, MIN_SD["cell"] ** 2)


def _ratios(cells, sizes, var, m, mu, nu):
    """Each channel's tail ratio E[e^ε] with its standard error, and the pool's.

    Measured two ways: empirically (the channel's money over its cells' fitted locations:
    right whatever the tail's shape, but a few very large pledges make it noisy) and as a
    log-normal's exp(σ_h²/2) from the channel's own spread of log sizes (steady, but only as
    right as that shape). They are blended by the empirical one's noise against MISFIT_SD, how
    far a real tail may stray from the log-normal's, so the empirical one takes over as a
    channel's pledges grow."""
    per_channel: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    spread: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (c, h), cell in cells.items():
        prior_precision = 1 / var["cell"]
        theta = ((m + mu[c] + nu[h]) * prior_precision + cell.log_sum / var["event"]) / (
            prior_precision + cell.n / var["event"]
        )
        x, w = _arrays(sizes[(c, h)])
        per_channel[h].append((x / np.exp(theta), w))
        spread[h][0] += cell.log_sq - cell.log_sum**2 / cell.n
        spread[h][1] += cell.n - 1
    joined = {h: _joined(parts) for h, parts in per_channel.items()}
    own = {h: _ratio(*zw, *spread[h], var["event"]) for h, zw in joined.items()}
    everything = _joined([part for parts in per_channel.values() for part in parts])
    ss = sum(v[0] for v in spread.values())
    dof = sum(v[1] for v in spread.values())
    pool = _ratio(*everything, ss, dof, var["event"])
    # Channels' tails differ only as far as their ratios spread beyond their noise: a noisy
    # channel's ratio leans on the pool's.
    raw = {h: (np.log(r), max((se / r) ** 2, 1e-6)) for h, (r, se) in own.items()}
    tau2 = _spread(raw, "ratio", weighted=False)
    out = {}
    for h, (log_r, v) in raw.items():
        w = tau2 / (tau2 + v)
        ratio = float(np.exp(w * log_r + (1 - w) * np.log(pool[0])))
        out[h] = (ratio, ratio * float(np.sqrt(w * v + (1 - w) ** 2 * (pool[1] / pool[0]) ** 2)))
    event_var = {h: _leaning(ss, dof, var["event"]) for h, (ss, dof) in spread.items()}
    return out, pool, event_var


def _leaning(ss: float, dof: float, pooled_var: float) -> float:
    """A channel's variance of log sizes from its sum of squares, leaning on the pool's."""
    return (ss + VARIANCE_PRIOR_DOF * pooled_var) / (dof + VARIANCE_PRIOR_DOF)


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([z for z, _w in parts]), np.concatenate([w for _z, w in parts])


def _ratio(
    z: np.ndarray, w: np.ndarray, ss: float, dof: float, pooled_var: float
) -> tuple[float, float]:
    """(ratio, standard error) from residual ratios z (weights w) and the sum of squares of
    log sizes."""
    sigma2 = _leaning(ss, dof, pooled_var)
    log_par = sigma2 / 2
    log_par_se = sigma2 / np.sqrt(2 * (dof + VARIANCE_PRIOR_DOF))  # var of s² is 2σ⁴/dof
    emp = max(float(w @ z / w.sum()), 1e-9)
    sd = np.sqrt(float(w @ (z - emp) ** 2 / w.sum()))
    emp_se = float(sd / np.sqrt(z.size)) / emp if z.size > 1 else np.inf
    w = MISFIT_SD**2 / (MISFIT_SD**2 + emp_se**2) if np.isfinite(emp_se) else 0.0
    log_ratio = w * np.log(emp) + (1 - w) * log_par
    se = float(np.hypot(w * emp_se if w else 0.0, (1 - w) * np.hypot(log_par_se, MISFIT_SD)))
    ratio = float(np.exp(log_ratio))
    return ratio, ratio * se
