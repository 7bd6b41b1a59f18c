"""Simulated campaigns of each shape, to judge the forecast (issue 25; benchmarks and a test).

Each campaign runs 20–90 days with a daily pace of one shape (steady, front-loaded, end surge,
a burst after press), negative binomial daily counts and pledge sizes of one kind. It is cut
at 30%, 50% and 70% of its life and forecast from what came before, with or without ended
campaigns of the same organisation (the same shape family with other parameters).

Two worlds: `first` (lognormal sizes, smooth paces) and `second`, structurally different
(weekly cycles with quiet weekends, sizes from a mixture of set amounts and a Pareto tail,
bursts that fade over days, an organisation whose ended campaigns have mixed shapes).

A third, `newsletter`, the forecast was not tuned on: a weekly newsletter day (four times the
pace, half again the day after) on a weekday of its own, sparse campaigns (1–8 pledges a day,
many days with none) of 10–120 days, sizes lognormal with a wide spread and one gift in a
hundred of £500–£5,000 (a major donor), and ended campaigns of mixed shapes.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from dataclasses import dataclass

from sharetrack.estimates import forecast

SHAPES = ("steady", "front-loaded", "end surge", "burst")
CUTS = (0.3, 0.5, 0.7)
START = dt.datetime(2026, 1, 5, 9)


def _pace(shape: str, u: float, rng_state: dict) -> float:
    if shape == "steady":
        return 1.0
    if shape == "front-loaded":
        return math.exp(-rng_state["k"] * u)
    if shape == "end surge":  # the U shape: a launch, a lull, a deadline rise
        k = rng_state["k"]
        return 0.15 + math.exp(-2 * k * u) + rng_state["surge"] * math.exp(-k * (1 - u))
    at, size = rng_state["burst_at"], rng_state["burst"]
    return 1.0 + (size * math.exp(-(u - at) * rng_state["fade"]) if u >= at else 0.0)


def _params(shape: str, rng: random.Random) -> dict:
    return {"k": rng.uniform(2, 6), "surge": rng.uniform(0.5, 1.5),
            "burst_at": rng.uniform(0.1, 0.9), "burst": rng.uniform(3, 10),
            "fade": rng.uniform(15, 40)}  # fmt: skip


def _size(world: str, rng: random.Random) -> int:
    if world == "first":
        return max(100, int(rng.lognormvariate(math.log(2500), 0.9)))
    if world == "newsletter":
        if rng.random() < 0.01:
            return rng.randint(50_000, 500_000)
        return max(100, int(rng.lognormvariate(math.log(1500), 1.3)))
    if rng.random() < 0.7:
        return rng.choice((1000, 2000, 2500, 5000, 10000))
    return int(1000 * rng.paretovariate(1.6))


def campaign(world: str, shape: str, rng: random.Random, params: dict | None = None):
    """(daily {date: (pledges, amount)}, start, end) of one ended campaign."""
    params = params or _params(shape, rng)
    sparse = world == "newsletter"
    life = rng.randint(10, 120) if sparse else rng.randint(20, 90)
    per_day = rng.uniform(1, 8) if sparse else rng.uniform(3, 25)
    paces = [_pace(shape, (i + 0.5) / life, params) for i in range(life)]
    scale = per_day * life / sum(paces)
    days = {}
    newsletter = rng.randrange(5)
    for i, p in enumerate(paces):
        day = (START + dt.timedelta(days=i)).date()
        weekly = _weekly(world, day, newsletter)
        mean = scale * p * weekly * rng.gammavariate(6.0, 1 / 6.0)
        n = _poisson(mean, rng)
        if n:
            days[day] = (n, sum(_size(world, rng) for _ in range(n)))
    return days, START, START + dt.timedelta(days=life)


def _weekly(world: str, day: dt.date, newsletter: int) -> float:
    """The day of the week's effect: quiet weekends, or the newsletter's day and the next."""
    if world == "second":
        return 0.4 if day.weekday() >= 5 else 1.15
    if world == "newsletter":
        return {newsletter: 4.0, newsletter + 1: 1.5}.get(day.weekday(), 0.8)
    return 1.0


def _poisson(mean: float, rng: random.Random) -> int:
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    n, threshold, p = 0, math.exp(-mean), rng.random()
    while p > threshold:
        n += 1
        p *= rng.random()
    return n


@dataclass
class Cell:
    covered: int = 0
    count: int = 0
    ratios: list[float] | None = None

    @property
    def coverage(self) -> float:
        return self.covered / self.count if self.count else float("nan")

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else float("nan")


def run(world: str, per_cell: int, seed: int = 1, history_size: int = 4) -> dict:
    """{(shape, cut, with history): Cell} over `per_cell` campaigns per shape."""
    rng = random.Random(f"{world}-{seed}")
    cells: dict = {}
    for shape in SHAPES:
        for i in range(per_cell):
            days, start, end = campaign(world, shape, rng)
            final = sum(amount for _n, amount in days.values())
            if final <= 0:
                continue
            kinds = [shape if world == "first" else rng.choice(SHAPES)]  # mixed elsewhere
            kinds += [rng.choice(SHAPES) for _ in range(history_size - 1)]
            curves = [c for k in kinds if (c := _curve(campaign(world, k, rng))) is not None]
            for cut in CUTS:
                at = start + (end - start) * cut
                at = dt.datetime.combine(at.date(), dt.time())  # whole days seen
                seen = {d: v for d, v in days.items() if d < at.date()}
                for history in (False, True):
                    f = forecast.forecast(seen, start, end, at, 0, curves if history else (),
                                          seed=f"{shape}{i}")  # fmt: skip
                    if not f.raised_minor:
                        continue
                    cell = cells.setdefault((shape, cut, history), Cell(ratios=[]))
                    cell.count += 1
                    cell.covered += f.low_minor <= final <= f.high_minor
                    cell.ratios.append(f.expected_minor / final)
    return cells


def _curve(made):
    days, start, end = made
    return forecast.cumulative_curve({d: n for d, (n, _a) in days.items()}, start, end)


def by_shape(cells: dict) -> dict[str, Cell]:
    """The cells pooled per shape (all cuts, with and without history)."""
    out = {}
    for (shape, _cut, _history), cell in cells.items():
        pooled = out.setdefault(shape, Cell(ratios=[]))
        pooled.covered += cell.covered
        pooled.count += cell.count
        pooled.ratios += cell.ratios
    return out
