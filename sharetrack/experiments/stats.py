"""The statistics of an experiment on the ask, as pure functions over plain data.

The verdict is a two-sample betting test (an e-process) on capped money per view, valid
however often anyone looks (docs/experiments.md, ADR 2301). Each credited pledge is one bet:
given that a pledge of capped size x came from a share made on day d by the variants i or j,
it came from j with the probability of j's share of that day's views in the pair if both raise
the same money per view. Zero views cost nothing (they are the exposure, not events), and the
cap bounds what any one pledge can move.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ALPHA = 0.05
# The bets' sizes, mixed with equal weight: small ones pay on long, subtle runs, large ones on
# clear ones. Every size keeps 1 + λ·D > 0 since |D| ≤ 1.
LAMBDAS = np.array([0.025, 0.05, 0.1, 0.2, 0.4, 0.7])
# Before this many mature views per variant and credited pledges in all, the verdict waits:
# the e-process is valid earlier too; the minimum keeps a handful of pledges from deciding.
MIN_MATURE_VIEWS = 500
MIN_PLEDGES = 20
# The lift a `no_clear_winner` verdict rules out at 80% power, and "views needed" speaks of.
PLANNED_LIFT = 0.15
# Pledges needed ≈ CALIBRATION · log(1/α') / growth per pledge; benchmarks/experiments.py
# measures the power this gives (docs/experiments.md).
CALIBRATION = 2.0
LIFT_GRID = np.exp(np.linspace(math.log(0.1), math.log(10.0), 161))

TOO_EARLY, WINNER, NO_CLEAR_WINNER = "too_early", "winner", "no_clear_winner"
VERDICTS = (TOO_EARLY, WINNER, NO_CLEAR_WINNER)


@dataclass(frozen=True)
class Credit:
    """Money a share made from a variant's view earned: its day (an ordinal), arm, amount."""

    day: int
    arm: int
    amount_minor: int


@dataclass(frozen=True)
class ArmCounts:
    """What one variant saw: everything, and its mature part (the verdict's data)."""

    views: int = 0
    shares: int = 0
    clicks: int = 0
    pledges: int = 0
    money_minor: int = 0


@dataclass(frozen=True)
class ArmResult:
    key: str
    counts: ArmCounts
    share_rate: float
    money_per_view_minor: float
    money_per_share_minor: float | None
    lift: float | None
    lift_low: float | None
    lift_high: float | None
    chance_best: float


@dataclass(frozen=True)
class Results:
    arms: list[ArmResult]
    verdict: str
    winner: int | None
    more_views_needed: int | None  # per variant, to tell a PLANNED_LIFT difference


# --- the e-process --------------------------------------------------------------------------


@dataclass(frozen=True)
class Credits:
    """Credits as arrays (day, arm, amount), the form the tests of many experiments run on."""

    day: np.ndarray
    arm: np.ndarray
    amount: np.ndarray

    @classmethod
    def of(cls, credits: Sequence[Credit] | Credits) -> Credits:
        if isinstance(credits, Credits):
            return credits
        n = len(credits)
        return cls(
            np.fromiter((c.day for c in credits), np.int64, n),
            np.fromiter((c.arm for c in credits), np.int64, n),
            np.fromiter((c.amount_minor for c in credits), np.float64, n),
        )

    def __len__(self) -> int:
        return len(self.day)


def _pair_events(credits: Credits, day_views: dict[int, Sequence[int]], i: int, j: int, cap: int):
    """x/C, whether from j, j's share of the pair's views on the credit's day, and where each
    day's events end, in day order. Credits of a day without views in the pair are left out."""
    days = np.array(sorted(day_views), dtype=np.int64)
    if len(days) == 0 or len(credits) == 0:
        empty = np.array([], dtype=float)
        return empty, empty.astype(bool), empty, np.array([], dtype=np.int64)
    views_i = np.array([day_views[d][i] for d in days], dtype=float)
    views_j = np.array([day_views[d][j] for d in days], dtype=float)
    pos = np.minimum(np.searchsorted(days, credits.day), len(days) - 1)
    keep = ((credits.arm == i) | (credits.arm == j)) & (days[pos] == credits.day)
    keep &= (views_i + views_j)[pos] > 0
    order = np.argsort(credits.day[keep], kind="stable")
    pos = pos[keep][order]
    x = np.minimum(credits.amount[keep][order], cap) / cap
    from_j = credits.arm[keep][order] == j
    p_j = views_j[pos] / (views_i[pos] + views_j[pos])
    day = credits.day[keep][order]
    # The evidence is read only where a day ends (index after its last event): within a day
    # the events' order is arbitrary, and a look between them would peek at that order.
    ends = np.flatnonzero(np.append(day[1:] != day[:-1], True)) + 1 if len(day) else day
    return x, from_j, p_j, ends


def bets(x: np.ndarray, from_j: np.ndarray, p_j: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """The bet outcomes D ∈ [-1, 1] (ratios × events) against "j raises `ratio` × i per view".

    Under that hypothesis E[x·(p_i·1{j} − r·p_j·1{i})] = 0 for pledges arriving as a marked
    Poisson process per view (docs/experiments.md), so the products of 1 + λ·D are
    martingales: by Ville's inequality they exceed 1/α with probability at most α, ever.
    """
    p_i = 1.0 - p_j
    r = ratio[:, None]
    scale = np.maximum(p_i[None, :], r * p_j[None, :])
    return x[None, :] * (p_i * from_j - r * p_j * ~from_j) / scale


def log_evidence(d: np.ndarray, ends: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Log e-values for "j better" (λ > 0) and "i better" (λ < 0), each a mixture over LAMBDAS,
    at the start and after each event (or only at `ends`, positions after the last event of
    each day); shape (ratios, looks + 1), starting at 0."""
    out = []
    for sign in (1.0, -1.0):
        steps = np.log1p(sign * LAMBDAS[:, None, None] * d[None, :, :])
        paths = np.concatenate([np.zeros(steps.shape[:2] + (1,)), np.cumsum(steps, 2)], 2)
        if ends is not None:
            paths = paths[:, :, np.concatenate([[0], ends])]
        out.append(np.logaddexp.reduce(paths, axis=0) - math.log(len(LAMBDAS)))
    return out[0], out[1]


def pair_test(
    credits: Sequence[Credit],
    day_views: dict[int, Sequence[int]],
    i: int,
    j: int,
    cap: int,
    alpha: float,
) -> int:
    """+1 if j beats i, -1 if i beats j, 0 if neither, at level alpha (two one-sided halves)."""
    x, from_j, p_j, ends = _pair_events(Credits.of(credits), day_views, i, j, cap)
    if len(x) == 0:
        return 0
    up, down = log_evidence(bets(x, from_j, p_j, np.array([1.0])), ends)
    threshold = math.log(2 / alpha)
    if up.max() >= threshold:
        return 1
    if down.max() >= threshold:
        return -1
    return 0


def lift_interval(
    credits: Sequence[Credit],
    day_views: dict[int, Sequence[int]],
    control: int,
    arm: int,
    cap: int,
    alpha: float = ALPHA,
) -> tuple[float, float] | None:
    """The always-valid (1 − alpha) interval of arm's lift over control in capped money per
    view: every ratio no e-process has rejected yet, minus one. None without evidence."""
    x, from_j, p_j, ends = _pair_events(Credits.of(credits), day_views, control, arm, cap)
    if len(x) == 0:
        return None
    threshold = math.log(2 / alpha)
    kept = np.zeros(len(LIFT_GRID), dtype=bool)
    for start in range(0, len(LIFT_GRID), 8):  # a few ratios at a time: memory ∝ 8·6·events
        ratios = LIFT_GRID[start : start + 8]
        up, down = log_evidence(bets(x, from_j, p_j, ratios), ends)
        kept[start : start + 8] = (up.max(axis=1) < threshold) & (down.max(axis=1) < threshold)
    if not kept.any():
        return None
    ratios = LIFT_GRID[kept]
    low = 0.0 if kept[0] else float(ratios.min())
    high = math.inf if kept[-1] else float(ratios.max())
    return low - 1.0, high - 1.0


# --- planning -----------------------------------------------------------------------------


def growth_per_pledge(lift: float, moment_ratio: float) -> float:
    """Expected log-wealth per pledge of the best bet, equal views: ρ·L² / (2·(2 + L)²), where
    ρ = (E x)² / E[x²] of capped sizes (1 for equal sizes, small for heavy tails)."""
    return moment_ratio * lift**2 / (2 * (2 + lift) ** 2)


def views_needed(
    lift: float, pledges_per_view: float, moment_ratio: float, arms: int = 2, alpha=ALPHA
) -> int | None:
    """Mature views per variant to tell `lift` apart at about 80% power (calibrated by
    benchmarks/experiments.py); None while nothing is known of pledges."""
    if pledges_per_view <= 0 or moment_ratio <= 0 or lift <= 0:
        return None
    pairs = arms * (arms - 1) // 2
    pledges = CALIBRATION * math.log(2 * pairs / alpha) / growth_per_pledge(lift, moment_ratio)
    # the pair's pledges come from two variants' views, at (1 + lift/2) times the base rate
    return max(MIN_MATURE_VIEWS, math.ceil(pledges / (pledges_per_view * (2 + lift))))


def moment_ratio(amounts, cap: int) -> float:
    """(E x)² / E[x²] of capped sizes: 1 when all equal, near 0 when a few dominate."""
    if len(amounts) == 0:
        return 0.0
    x = np.minimum(np.asarray(amounts, dtype=float), cap)
    return float(x.mean() ** 2 / (x**2).mean())


# --- chance best and allocation -------------------------------------------------------------


def chance_best(
    mature_views: Sequence[int],
    capped_amounts: Sequence[Sequence[int]],
    draws: int = 4000,
    seed: int = 0,
) -> list[float]:
    """Each variant's posterior chance of the highest capped money per view: pledges per view
    Gamma(k + 1)/n, mean size Normal(mean, sd/√k) (the pooled mean while k is 0)."""
    rng = np.random.default_rng(seed)
    pooled = np.concatenate([np.asarray(arm, dtype=float) for arm in capped_amounts])
    pooled_mean = float(pooled.mean()) if len(pooled) else 1.0
    samples = []
    for n, amounts in zip(mature_views, capped_amounts, strict=True):
        k = len(amounts)
        rate = rng.gamma(k + 1, 1.0, draws) / max(n, 1)
        if k:
            mean = float(np.mean(amounts))
            sd = float(np.std(amounts)) if k > 1 else mean
            size = np.maximum(rng.normal(mean, sd / math.sqrt(k) + 1e-9, draws), 0.0)
        else:
            size = np.full(draws, pooled_mean)
        samples.append(rate * size)
    stacked = np.vstack(samples)
    best = np.argmax(stacked + rng.random(stacked.shape) * 1e-12, axis=0)
    return [float(np.mean(best == a)) for a in range(len(samples))]


def allocation(chances: Sequence[float], adaptive: bool, floor: float = 0.10) -> list[float]:
    """Each variant's chance of being shown: equal, or Thompson sampling with a floor each."""
    k = len(chances)
    if not adaptive:
        return [1.0 / k] * k
    spare = 1.0 - floor * k
    return [floor + spare * c for c in chances]


def pick(weights: Sequence[float], u: float) -> int:
    """The variant a uniform draw u ∈ [0, 1) lands on."""
    total = 0.0
    for index, weight in enumerate(weights):
        total += weight
        if u < total:
            return index
    return len(weights) - 1


# --- results ------------------------------------------------------------------------------


def verdict(
    credits: Sequence[Credit] | Credits,
    day_views: dict[int, Sequence[int]],
    arms: int,
    cap: int,
    alpha: float = ALPHA,
) -> tuple[str, int | None, int | None]:
    """(verdict, winning arm, more mature views needed per variant) on mature data only."""
    credits = Credits.of(credits)
    views = [sum(v[a] for v in day_views.values()) for a in range(arms)]
    pairs = arms * (arms - 1) // 2
    if min(views) < MIN_MATURE_VIEWS or len(credits) < MIN_PLEDGES:
        return TOO_EARLY, None, _more(credits, views, arms, cap, alpha)
    beats = [[False] * arms for _ in range(arms)]
    for i in range(arms):
        for j in range(i + 1, arms):
            side = pair_test(credits, day_views, i, j, cap, alpha / pairs)
            beats[j][i], beats[i][j] = side > 0, side < 0
    for a in range(arms):
        if all(beats[a][b] for b in range(arms) if b != a):
            return WINNER, a, None
    more = _more(credits, views, arms, cap, alpha)
    if more == 0:
        return NO_CLEAR_WINNER, None, 0
    return TOO_EARLY, None, more


def _more(credits: Credits, views, arms, cap, alpha) -> int | None:
    total = sum(views)
    if len(credits) == 0 or total == 0:
        return None
    needed = views_needed(
        PLANNED_LIFT,
        len(credits) / total,
        moment_ratio(credits.amount, cap),
        arms,
        alpha,
    )
    return None if needed is None else max(0, needed - min(views))


def results(
    keys: Sequence[str],
    counts: Sequence[ArmCounts],
    credits: Sequence[Credit],
    day_views: dict[int, Sequence[int]],
    cap: int,
) -> Results:
    """Every figure of the API and staff page, from all counts and the mature credits."""
    arms = len(keys)
    mature = [sum(v[a] for v in day_views.values()) for a in range(arms)]
    capped = [[min(c.amount_minor, cap) for c in credits if c.arm == a] for a in range(arms)]
    chances = chance_best(mature, capped)
    said, winner, more = verdict(credits, day_views, arms, cap)
    mpv = [sum(capped[a]) / mature[a] if mature[a] else None for a in range(arms)]
    out = []
    for a, (key, c) in enumerate(zip(keys, counts, strict=True)):
        lift = low = high = None
        if a > 0:
            if mpv[0] and mpv[a] is not None:
                lift = mpv[a] / mpv[0] - 1.0
            interval = lift_interval(credits, day_views, 0, a, cap)
            if interval is not None:
                low, high = (None if math.isinf(v) else v for v in interval)
        out.append(
            ArmResult(
                key=key,
                counts=c,
                share_rate=c.shares / c.views if c.views else 0.0,
                money_per_view_minor=c.money_minor / c.views if c.views else 0.0,
                money_per_share_minor=c.money_minor / c.shares if c.shares else None,
                lift=lift,
                lift_low=low,
                lift_high=high,
                chance_best=chances[a],
            )
        )
    return Results(out, said, winner, more)
