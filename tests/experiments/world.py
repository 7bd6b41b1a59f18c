"""Simulated experiments with known truth, run day by day through the real statistics.

A world says how many views a campaign's page gets a day, and per variant the chance a view
makes a share, the pledges a share brings, their sizes and their delays. Each day the variants'
views are drawn from the allocation the real code chooses (sharetrack.experiments.stats), and
the verdict is read after every day from the mature data, as staff would read it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sharetrack.experiments import stats

Sizes = Callable[[np.random.Generator, int], np.ndarray]
Delays = Callable[[np.random.Generator, int], np.ndarray]


def gamma_sizes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pledges around £25, a few up to a couple of hundred pounds (minor units)."""
    return np.maximum(100, rng.gamma(1.5, 1700, n)).astype(int)


def heavy_sizes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Lognormal sizes with rare huge pledges: 1 in 200 is £500–£5,000."""
    sizes = rng.lognormal(np.log(1500), 1.0, n)
    huge = rng.random(n) < 0.005
    sizes[huge] = rng.uniform(50_000, 500_000, huge.sum())
    return np.maximum(100, sizes).astype(int)


def quick_delays(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.geometric(0.5, n) - 1


def slow_delays(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.minimum(rng.geometric(0.08, n) - 1, 40)


@dataclass
class World:
    """Per variant: share rate, pledges per share; shared: views a day, sizes, delays."""

    share_rates: Sequence[float]
    pledges_per_share: Sequence[float]
    views_per_day: int = 4000
    days: int = 100
    sizes: Sizes = gamma_sizes
    delays: Delays = quick_delays
    window_days: int = 30
    refund_lag_days: int = 7
    cap: int = 10_000
    adaptive: bool = False
    # Chance that the view a share came from is not the one whose ask moved the sharer (one
    # person saw both variants): its pledges follow the other variants' rates.
    contamination: float = 0.0
    size_lift: Sequence[float] = field(default_factory=tuple)

    @property
    def arms(self) -> int:
        return len(self.share_rates)

    def money_per_view(self, arm: int, draws: int = 200_000) -> float:
        """The truth, uncapped (by Monte Carlo over sizes)."""
        rng = np.random.default_rng(12345)
        scale = self.size_lift[arm] if self.size_lift else 1.0
        return (
            self.share_rates[arm]
            * self.pledges_per_share[arm]
            * self.sizes(rng, draws).mean()
            * scale
        )


@dataclass
class Run:
    verdicts: list[tuple[str, int | None]]  # after every day
    money_minor: int
    views: list[int]

    def first_winner(self) -> int | None:
        """The first arm ever declared the winner (staff would stop there)."""
        for said, arm in self.verdicts:
            if said == stats.WINNER:
                return arm
        return None

    def winner_by(self, day: int) -> int | None:
        for said, arm in self.verdicts[: day + 1]:
            if said == stats.WINNER:
                return arm
        return None


def run(world: World, seed: int) -> Run:
    """One experiment, day by day; the verdict after each day on mature data only."""
    rng = np.random.default_rng(seed)
    arms = world.arms
    lag = world.window_days + world.refund_lag_days
    day_views: dict[int, list[int]] = {}
    blocks: list[np.ndarray] = []  # per share day: rows of (share day, arm, amount, arrival)
    mature = np.zeros((0, 4), dtype=np.int64)
    verdicts: list[tuple[str, int | None]] = []
    rates = np.array(world.share_rates) * np.array(world.pledges_per_share)
    scales = np.array(world.size_lift) if world.size_lift else np.ones(arms)
    for day in range(world.days):
        weights = [1.0 / arms] * arms
        if world.adaptive:
            weights = _thompson(world, blocks, day_views, day, seed)
        counts = rng.multinomial(world.views_per_day, weights)
        day_views[day] = [int(n) for n in counts]
        rows = []
        for arm in range(arms):
            n = rng.poisson(counts[arm] * (1 - world.contamination) * rates[arm])
            rows.append(_pledges(world, rng, day, arm, arm, n, scales))
            for other in range(arms) if world.contamination else ():
                if other != arm:
                    share = world.contamination / (arms - 1)
                    n = rng.poisson(counts[arm] * share * rates[other])
                    rows.append(_pledges(world, rng, day, arm, other, n, scales))
        blocks.append(np.concatenate(rows))
        cutoff = day - lag
        if cutoff < 0:
            verdicts.append((stats.TOO_EARLY, None))
            continue
        mature = np.concatenate([mature, blocks[cutoff]])
        mature_views = {d: day_views[d] for d in range(cutoff + 1)}
        credits = stats.Credits(mature[:, 0], mature[:, 1], mature[:, 2].astype(float))
        said, winner, _ = stats.verdict(credits, mature_views, arms, world.cap)
        verdicts.append((said, winner))
    every = np.concatenate(blocks)
    views_total = [sum(v[a] for v in day_views.values()) for a in range(arms)]
    return Run(verdicts, int(every[:, 2].sum()), views_total)


def _thompson(world: World, blocks, day_views, day: int, seed: int) -> list[float]:
    """The real allocation rule on what has arrived by `day` (all views, arrived credit)."""
    arms = world.arms
    if not blocks:
        return stats.allocation([1 / arms] * arms, adaptive=True)
    seen = np.concatenate(blocks)
    seen = seen[seen[:, 3] <= day]
    views = [sum(v[a] for v in day_views.values()) for a in range(arms)]
    capped = [np.minimum(seen[seen[:, 1] == a, 2], world.cap) for a in range(arms)]
    chances = stats.chance_best(views, capped, draws=400, seed=seed * 1000 + day)
    return stats.allocation(chances, adaptive=True)


def _pledges(world, rng, day, arm, moved, n, scales) -> np.ndarray:
    """n pledges credited to shares of `arm` made on `day`, sized as variant `moved` moves;
    those later than the window earn no credit."""
    sizes = (world.sizes(rng, n) * scales[moved]).astype(np.int64)
    delays = world.delays(rng, n)
    kept = delays <= world.window_days
    out = np.empty((int(kept.sum()), 4), dtype=np.int64)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = day, arm, sizes[kept], day + delays[kept]
    return out


def summary(world: World, seeds: Sequence[int], look_by: int | None = None) -> dict:
    """Share of runs declaring each arm the winner (at any daily look up to `look_by`)."""
    runs = [run(world, s) for s in seeds]
    by = world.days - 1 if look_by is None else look_by
    found = [r.winner_by(by) for r in runs]
    return {
        "runs": len(runs),
        "winner": {a: sum(f == a for f in found) / len(runs) for a in range(world.arms)},
        "any_winner": sum(f is not None for f in found) / len(runs),
        "money_minor": sum(r.money_minor for r in runs),
        "views": [sum(r.views[a] for r in runs) for a in range(world.arms)],
    }


# --- the worlds the benchmark and the tests check --------------------------------------------


def base(kind: str, lift: float = 0.0, adaptive: bool = False, days: int = 100) -> World:
    """`gamma`: gamma sizes, quick pledges, the lift in pledges per share. `heavy`: lognormal
    sizes with rare £500–£5,000 pledges, slow pledges, a higher share rate, fewer pledges per
    share, the lift in the share rate."""
    if kind == "gamma":
        return World(
            share_rates=[0.08, 0.08],
            pledges_per_share=[0.08, 0.08 * (1 + lift)],
            adaptive=adaptive,
            days=days,
        )
    return World(
        share_rates=[0.15, 0.15 * (1 + lift)],
        pledges_per_share=[0.03, 0.03],
        views_per_day=3000,
        sizes=heavy_sizes,
        delays=slow_delays,
        window_days=45,
        adaptive=adaptive,
        days=days,
    )


def planned_views(world: World, lift: float) -> int:
    """The views per variant the docs' rule says a `lift` needs in this world (stats.views_needed
    from the control's true pledges per view and capped size spread)."""
    rng = np.random.default_rng(7)
    sizes = world.sizes(rng, 100_000)
    rate = world.share_rates[0] * world.pledges_per_share[0]
    return stats.views_needed(lift, rate, stats.moment_ratio(list(sizes), world.cap))


def look_day(world: World, views: int) -> int:
    """The day on which `views` per variant are mature (equal allocation)."""
    per_day = world.views_per_day / world.arms
    return int(np.ceil(views / per_day)) + world.window_days + world.refund_lag_days
