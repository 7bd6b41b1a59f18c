"""Campaign effect × channel effect: the prior each (campaign, channel) cell is shrunk toward.

Pure statistics over per-cell sums (see docs/estimate.md, "2. Campaign and channel effects").
Rates: events per matured share of cell (c, h) are Poisson with mean a_c × b_h × d_ch. The
campaign effect a_c has a Gamma(k_a, k_a) prior (mean 1), the channel effect b_h a Gamma prior
centred on the overall rate; both are fitted by alternating posterior means, and k_a by the
method of moments. Shares overdispersed beyond Poisson (κ, `_dispersion`) make a cell's events
worth fewer independent ones (share_value.py). Mean event sizes: sizes.py. A cell's prior is
built leaving the cell's own data out, so its own shares are not counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from . import sizes

ITERATIONS = 25
# Never assume campaigns, channels or cells closer than these coefficients of variation: a
# dozen campaigns cannot show that they are alike, and a too tight prior under-covers.
MIN_CAMPAIGN_CV = 0.2
MIN_CHANNEL_CV = 0.3
MIN_CELL_CV = 0.35
DEFAULT_CAMPAIGN_CV = 0.5  # when fewer than three campaigns show their spread
DEFAULT_CHANNEL_CV = 0.7
DEFAULT_CELL_CV = 0.35


@dataclass
class Cell:
    """What one (campaign, channel) has seen: matured-share exposure, events and their sizes.

    A pledge split among several shares by a multi-touch model is one event, not several:
    each credit is its pledge's whole amount weighing its fraction (`weights`; None: all 1)."""

    shares: int = 0
    exposure: float = 0.0
    sizes: list[float] | None = None
    weights: list[float] | None = None
    # Per-share sums for the spread of events between shares: Σ n², Σ n·e, Σ e².
    count_sq: float = 0.0
    count_exposure: float = 0.0
    exposure_sq: float = 0.0

    def add_share(
        self, exposure: float, sizes: list[float], weights: list[float] | None = None
    ) -> None:
        """Count one share of this exposure whose events had these sizes (and weights)."""
        self.shares += 1
        self.exposure += exposure
        self.exposure_sq += exposure * exposure
        if not sizes:
            return
        if weights is not None and self.weights is None:
            self.weights = [1.0] * (len(self.sizes) if self.sizes else 0)
        if self.sizes is None:
            self.sizes = []
        self.sizes.extend(sizes)
        if self.weights is not None:
            self.weights.extend(weights if weights is not None else [1.0] * len(sizes))
        count = float(sum(weights)) if weights is not None else len(sizes)
        self.count_sq += count**2
        self.count_exposure += count * exposure

    @property
    def events(self) -> float:
        if not self.sizes:
            return 0
        return float(sum(self.weights)) if self.weights is not None else len(self.sizes)

    @property
    def money(self) -> float:
        if not self.sizes:
            return 0.0
        if self.weights is None:
            return float(sum(self.sizes))
        return float(sum(x * w for x, w in zip(self.sizes, self.weights, strict=True)))


@dataclass(frozen=True)
class Prior:
    """A cell's prior rate from everything but its own data, as Gamma(shape, rate)."""

    shape: float
    rate: float


@dataclass(frozen=True)
class Effects:
    """The fitted campaign and channel effects, and how far cells stray from their product."""

    cells: dict[tuple[str, str], Cell]
    a: dict[str, float]  # campaign rate effect (mean 1)
    b: dict[str, float]  # channel rate (events per matured share)
    k_a: float
    k_b: float
    overall_rate: float
    cell_cv2: float
    size_model: sizes.SizeModel  # the mean size of every cell
    dispersion: float = 0.0  # κ: a share's events vary as μ + κμ² (0: Poisson)

    def prior(self, campaign: str, channel: str) -> Prior:
        """The prior of (campaign, channel), leaving that cell's own data out."""
        n_c, x_c = self._campaign_rate_sums(campaign, channel)
        n_h, x_h = self._channel_rate_sums(channel, campaign)
        a = (self.k_a + n_c) / (self.k_a + x_c)
        b = (self.k_b + n_h) / (self.k_b / self.overall_rate + x_h)
        cv2 = self.cell_cv2 + 1 / (self.k_a + n_c) + 1 / (self.k_b + n_h)
        mean = a * b
        shape = 1 / cv2
        return Prior(shape, shape / mean)

    def _campaign_rate_sums(self, campaign: str, channel: str) -> tuple[float, float]:
        n = x = 0.0
        for (c, h), cell in self.cells.items():
            if c == campaign and h != channel:
                n += cell.events
                x += cell.exposure * self.b[h]
        return n, x

    def _channel_rate_sums(self, channel: str, campaign: str) -> tuple[float, float]:
        n = x = 0.0
        for (c, h), cell in self.cells.items():
            if h == channel and c != campaign:
                n += cell.events
                x += cell.exposure * self.a[c]
        return n, x


def fit(cells: dict[tuple[str, str], Cell]) -> Effects | None:
    """Campaign and channel effects for rates and sizes; None when no event was ever seen."""
    events = sum(cell.events for cell in cells.values())
    exposure = sum(cell.exposure for cell in cells.values())
    if events == 0 or exposure <= 0:
        return None
    campaigns = sorted({c for c, _h in cells})
    channels = sorted({h for _c, h in cells})
    overall_rate = events / exposure
    a = dict.fromkeys(campaigns, 1.0)
    b = dict.fromkeys(channels, overall_rate)
    k_a = 1 / DEFAULT_CAMPAIGN_CV**2
    k_b = 1 / DEFAULT_CHANNEL_CV**2
    for _ in range(ITERATIONS):
        n_h, x_h = _sums(cells, by=1, scale=a, scale_by=0)
        centre = dict.fromkeys(channels, overall_rate)
        k_b = _gamma_strength(n_h, x_h, centre, MIN_CHANNEL_CV, DEFAULT_CHANNEL_CV)
        b = {h: (k_b + n_h[h]) / (k_b / overall_rate + x_h[h]) for h in channels}
        n_c, x_c = _sums(cells, by=0, scale=b, scale_by=1)
        k_a = _gamma_strength(n_c, x_c, dict.fromkeys(campaigns, 1.0), MIN_CAMPAIGN_CV,
                              DEFAULT_CAMPAIGN_CV)  # fmt: skip
        a = {c: (k_a + n_c[c]) / (k_a + x_c[c]) for c in campaigns}
    cell_cv2 = _cell_cv2(cells, a, b, len(campaigns) + len(channels) - 1)
    size_model = sizes.fit({key: (cell.sizes or [], cell.weights) for key, cell in cells.items()})
    kappa = _dispersion(cells)
    return Effects(cells, a, b, k_a, k_b, overall_rate, cell_cv2, size_model, kappa)


def _dispersion(cells: dict[tuple[str, str], Cell]) -> float:
    """κ in Var(events of a share) = μ + κμ², μ = e × the cell's rate, by the method of moments
    pooled over cells: Σ((n − μ)² − μ) = κ Σ μ², the cell's rate fitted from its own events
    (whose own share of the squared residuals is taken out); 0 when shares look Poisson."""
    num = den = 0.0
    for cell in cells.values():
        if cell.events == 0 or cell.exposure < 1:
            continue
        rate = cell.events / cell.exposure
        squares = cell.count_sq - 2 * rate * cell.count_exposure + rate**2 * cell.exposure_sq
        num += squares - rate * (cell.exposure - cell.exposure_sq / cell.exposure)
        den += rate**2 * cell.exposure_sq
    return max(num / den, 0.0) if den > 0 else 0.0


def _sums(cells, by: int, scale: dict[str, float], scale_by: int):
    """Events and scaled exposure summed per campaign (by=0) or channel (by=1)."""
    n: dict[str, float] = defaultdict(float)
    x: dict[str, float] = defaultdict(float)
    for key, cell in cells.items():
        n[key[by]] += cell.events
        x[key[by]] += cell.exposure * scale[key[scale_by]]
    return n, x


def _gamma_strength(n: dict, x: dict, centre: dict, min_cv: float, default_cv: float) -> float:
    """Gamma prior strength 1/CV² for effects n/x around `centre`, by the method of moments.

    Raw effects r = n/x vary by the effects' own spread CV² (relative) plus Poisson noise
    1/(x × centre); weighting by x, CV² = Σ x ((r/centre − 1)² − 1/(x centre)) / Σ x.
    """
    keys = [k for k in n if x[k] > 0 and centre[k] > 0]
    if len(keys) < 3:
        return 1 / default_cv**2
    w = np.array([x[k] for k in keys])
    expected = np.array([x[k] * centre[k] for k in keys])
    rel = np.array([n[k] for k in keys]) / expected
    spread = float(np.sum(w * ((rel - 1) ** 2 - 1 / expected)) / w.sum())
    return 1 / max(spread, min_cv**2)


def _cell_cv2(cells, a: dict, b: dict, fitted: int) -> float:
    """How far cells' rates stray from a_c × b_h (relative variance), beyond Poisson noise."""
    usable = [(cell, a[c] * b[h]) for (c, h), cell in cells.items() if cell.exposure >= 1]
    if len(usable) - fitted < 3:
        return DEFAULT_CELL_CV**2
    w = np.array([cell.exposure for cell, _m in usable])
    expected = np.array([cell.exposure * m for cell, m in usable])
    rel = np.array([cell.events for cell, _m in usable]) / expected
    spread = float(np.sum(w * ((rel - 1) ** 2 - 1 / expected)) / w.sum())
    spread *= len(usable) / (len(usable) - fitted)  # the fitted effects absorb some spread
    return max(spread, MIN_CELL_CV**2)
