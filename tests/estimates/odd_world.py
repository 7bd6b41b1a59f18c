"""A third estimation world, built unlike the other two from the outside review's examples.

Pure: it makes the estimator's input (ShareHistory) directly, with the true value per share.
- Counts per share are overdispersed: each share's rate is Gamma with shape 0.3 around its
  cell's (most shares bring nothing, a few bring dozens), not Poisson.
- Each channel has its own size distribution: WhatsApp fixed £10 gifts, Facebook a Pareto tail
  (α 1.6), X a log-normal heavier than the pool's (σ 2), email a light one (σ 0.6).
- Delays: half within hours (exponential, mean 3 h), half over days (log-normal, median 4 d).
- One campaign a day old, one a week old; the rest 60 to 200 days, all with one 14-day window.

benchmarks/estimate_quality.py prints its figures (`--simulators odd`);
tests/estimates/test_quality.py checks the review's single examples on it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sharetrack.estimates.share_value import ShareHistory

WINDOW = 14
RATE = {"facebook": 0.06, "whatsapp": 0.12, "x": 0.03, "email": 0.15}
SHAPE = 0.3  # share-level Gamma shape: the smaller, the more a few shares bring most pledges
PARETO_ALPHA = 1.6
MEAN_SIZE = {"facebook": 3000.0, "whatsapp": 1000.0, "x": 2500.0, "email": 4000.0}


@dataclass(frozen=True)
class World:
    histories: list[ShareHistory]
    truth: dict[tuple[str, str], float]
    young: frozenset[str]


def size(rng: random.Random, channel: str, scale: float) -> float:
    """One pledge of the channel's distribution, of mean MEAN_SIZE × scale."""
    mean = MEAN_SIZE[channel] * scale
    if channel == "whatsapp":
        return 1000.0  # fixed £10 gifts, whatever the campaign
    if channel == "facebook":
        xm = mean * (PARETO_ALPHA - 1) / PARETO_ALPHA
        return xm * rng.paretovariate(PARETO_ALPHA)
    sigma = 2.0 if channel == "x" else 0.6
    return rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)


def delay(rng: random.Random) -> float:
    """Days from a share to a pledge it brought: half within hours, half over days."""
    while True:
        d = rng.expovariate(8) if rng.random() < 0.5 else math.exp(rng.gauss(math.log(4), 0.8))
        if d < 2 * WINDOW * 0.95:
            return d


def true_value(channel: str, rate: float, scale: float) -> float:
    mean = 1000.0 if channel == "whatsapp" else MEAN_SIZE[channel] * scale
    return rate * mean


def world(seed: int, campaigns: int = 12) -> World:
    """An organisation of `campaigns` mature campaigns plus a day-old and a week-old one."""
    rng = random.Random(seed)
    histories, truth = [], {}
    ages = [rng.uniform(60, 200) for _ in range(campaigns)] + [1.0, 7.0]
    for n, life in enumerate(ages):
        slug = f"odd-{n}"
        attention = math.exp(rng.gauss(0, 0.5))
        scale = math.exp(rng.gauss(0, 0.25))
        for channel, base in RATE.items():
            rate = base * attention * math.exp(rng.gauss(0, 0.25))
            truth[(slug, channel)] = true_value(channel, rate, scale)
            shares = 300 if life < 10 else rng.choice((10, 30, 100, 300, 1000))
            for _ in range(shares):
                age = life * rng.random() ** 0.7
                histories.append(_share(rng, slug, channel, age, rate, scale))
    return World(histories, truth, frozenset({f"odd-{campaigns}", f"odd-{campaigns + 1}"}))


def _share(rng, slug: str, channel: str, age: float, rate: float, scale: float) -> ShareHistory:
    own_rate = rng.gammavariate(SHAPE, rate / SHAPE)
    credits = []
    for _ in range(poisson(rng, own_rate)):
        d = delay(rng)
        if d < age:
            credits.append((d, float(max(1, round(size(rng, channel, scale))))))
    return ShareHistory(slug, channel, age, WINDOW, tuple(credits))


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, rng.random(), math.exp(-lam)
    while p > limit:
        k += 1
        p *= rng.random()
    return k
