"""The per-share value estimate: pure statistics over plain data (see docs/estimate.md).

Model, per campaign and channel: a share earns credit events (a pledge crediting it, counted
once however a model split it) at rate lambda per matured share, each event of a size drawn
from a heavy-tailed distribution.
- Maturity (maturity.py): a share's exposure is F(age), the share of value that has usually
  arrived by its age, learned from every share (young ones as censored), pooled where thin.
- Rates (effects.py): lambda has a Gamma prior from campaign and channel effects (leaving the
  cell out), with empirical-Bayes strengths; shares overdispersed beyond Poisson count as
  fewer independent events.
- Sizes (sizes.py): a log-scale location times the channel's own tail ratio.
- The 90% interval comes from Monte Carlo draws of the rate's posterior times the mean size's.
- Where a campaign's refs are too few, timing_basis.py rests the value on timing instead.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import effects, maturity
from .effects import Cell

LEVEL = 0.9
DRAWS = 4000
CAMPAIGN_BASIS_WEIGHT = 0.7  # own data weight at or above which the basis is "campaign"


class ShareHistory(NamedTuple):
    """One share: where it belongs, how old it is, and the credit it has earned so far.

    A NamedTuple, not a frozen dataclass: a campaign has one per share, and a frozen
    dataclass's checked __init__ made building them a visible part of a cold estimate.
    """

    campaign: str
    channel: str
    age_days: float
    window_days: int
    # (days from the share's creation to the pledge, credited minor units[, the fraction of
    # the pledge this is when a model split it]), one per pledge
    credits: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True)
class Estimate:
    estimate_minor: int
    low_minor: int
    high_minor: int
    shares: int
    basis: str  # "campaign", "pooled", "prior" or "timing" (timing_basis.py)
    level: float = LEVEL
    own_weight: float = 0.0
    # What the cell's own shares hold: credit events worth as many independent ones (events
    # over the overdispersion factor), matured-share exposure, and credited money.
    information: float = 0.0
    exposure: float = 0.0
    credited_minor: float = 0.0


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
    delays = {c: maturity.Delays.of(items) for c, items in by_campaign.items()}
    pooled_curve = maturity.delay_curve(maturity.Delays.joined(list(delays.values())))
    # Delays are people's, not the window's: campaigns with another window spread them
    # differently over the horizon, so each window length pools its own campaigns first.
    by_window: dict[int, list[maturity.Delays]] = defaultdict(list)
    for c, items in by_campaign.items():
        by_window[items[0].window_days].append(delays[c])
    window_curves = {
        w: maturity.blended(maturity.Delays.joined(parts), pooled_curve)
        for w, parts in by_window.items()
    }
    groups: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for c, items in by_campaign.items():
        curve = maturity.blended(delays[c], window_curves[items[0].window_days])
        for h, e in zip(items, maturity.exposures(items, curve), strict=True):
            g = groups[(h.campaign, h.channel)]
            g.add_share(e, *_events(h.credits))
    return groups


def _events(credits: tuple) -> tuple[list[float], list[float] | None]:
    """A share's credit events: each pledge's whole amount, weighing the fraction the model
    gave this share (a third credit element; without it, the whole pledge)."""
    if not credits:  # most shares
        return [], None
    if all(len(c) == 2 for c in credits):
        return [float(c[1]) for c in credits if c[1] > 0], None
    sizes, weights = [], []
    for credit in credits:
        fraction = credit[2] if len(credit) > 2 else 1.0
        if credit[1] > 0 and fraction > 0:
            sizes.append(float(credit[1]) / fraction)
            weights.append(float(fraction))
    return sizes, weights


def _estimate_one(fitted, groups, campaign: str, channel: str, seed_text: str) -> Estimate:
    own = groups.get((campaign, channel), Cell())
    if fitted is None:  # no event anywhere yet: nothing has ever been credited
        basis = "prior" if own.shares == 0 else "pooled"
        return Estimate(0, 0, 0, own.shares, basis, exposure=own.exposure)
    prior = fitted.prior(campaign, channel)
    # Overdispersion: shares differ beyond Poisson (most bring nothing, a few dozens), so a
    # cell's events carry the information of events / D, D from the fitted share-level spread.
    rate = (prior.shape + own.events) / (prior.rate + own.exposure)
    spread = own.exposure_sq / own.exposure if own.exposure > 0 else 0.0
    d = 1.0 + fitted.dispersion * rate * spread
    alpha = prior.shape + own.events / d
    beta = prior.rate + own.exposure / d
    own_weight = (own.exposure / d) / (own.exposure / d + prior.rate)
    if own.shares == 0:
        basis = "prior"
    elif own_weight >= CAMPAIGN_BASIS_WEIGHT:
        basis = "campaign"
    else:
        basis = "pooled"
    rng = np.random.default_rng(_seed(seed_text, campaign, channel))
    own_sizes = (own.sizes or [], own.weights)
    size_mean, size_draws = fitted.size_model.cell(campaign, channel, own_sizes, rng, DRAWS)
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
        information=own.events / d,
        exposure=own.exposure,
        credited_minor=own.money,
    )


def _seed(*parts: str) -> int:
    """Deterministic draws: the same data always gives the same figures (and ETag)."""
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")
