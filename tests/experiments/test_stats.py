"""The experiment statistics as pure functions: properties, and what one pledge can do."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharetrack.experiments import stats

unit = st.floats(0.0, 1.0)
share = st.floats(0.01, 0.99)
ratio = st.floats(0.1, 10.0)


@given(x=unit, p_j=share, r=ratio)
def test_each_bet_is_bounded_and_fair_under_its_hypothesis(x, p_j, r):
    """|D| ≤ 1, and with P(from j) = r·p_j / (p_i + r·p_j) (j raising r times i per view, same
    sizes) the bet's expectation is zero: the wealth is a martingale under the null."""
    p_i = 1 - p_j
    outcomes = stats.bets(
        np.array([x, x]), np.array([True, False]), np.array([p_j, p_j]), np.array([r])
    )[0]
    assert np.all(np.abs(outcomes) <= 1 + 1e-12)
    chance_j = r * p_j / (p_i + r * p_j)
    assert chance_j * outcomes[0] + (1 - chance_j) * outcomes[1] == pytest.approx(0, abs=1e-12)


@given(st.lists(st.tuples(unit, st.booleans(), share), min_size=1, max_size=50))
def test_evidence_starts_at_one_and_stays_finite(events):
    x, from_j, p_j = (np.array(column) for column in zip(*events, strict=True))
    up, down = stats.log_evidence(stats.bets(x, from_j.astype(bool), p_j, np.array([1.0])))
    assert up[0, 0] == down[0, 0] == 0
    assert np.all(np.isfinite(up)) and np.all(np.isfinite(down))


@given(st.lists(st.floats(0, 1), min_size=2, max_size=4), st.booleans())
def test_allocation_sums_to_one_with_a_floor(raw, adaptive):
    total = sum(raw) or 1.0
    chances = [c / total for c in raw] if sum(raw) else [1 / len(raw)] * len(raw)
    weights = stats.allocation(chances, adaptive)
    assert sum(weights) == pytest.approx(1)
    assert min(weights) >= (0.1 if adaptive else 1 / len(raw)) - 1e-12
    assert stats.pick(weights, 0.0) == 0 and stats.pick(weights, 0.999999) == len(raw) - 1


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 5000), min_size=2, max_size=4),
    st.lists(st.lists(st.integers(1, 10_000), max_size=20), min_size=4, max_size=4),
)
def test_chance_best_is_a_distribution(views, amounts):
    chances = stats.chance_best(views, amounts[: len(views)], draws=500)
    assert sum(chances) == pytest.approx(1) and all(0 <= c <= 1 for c in chances)


def _world(rng, days, views, rates, sizes=lambda rng, n: rng.gamma(1.5, 1700, n)):
    """Credits and daily views of an experiment with known pledges per view per arm."""
    credits, day_views = [], {}
    for day in range(days):
        counts = rng.multinomial(views, [1 / len(rates)] * len(rates))
        day_views[day] = [int(c) for c in counts]
        for arm, rate in enumerate(rates):
            for amount in sizes(rng, rng.poisson(counts[arm] * rate)):
                credits.append(stats.Credit(day, arm, max(1, int(amount))))
    return credits, day_views


def test_a_clear_difference_is_found_and_swapping_arms_swaps_the_winner():
    credits, day_views = _world(np.random.default_rng(1), 40, 4000, [0.006, 0.009])
    assert stats.verdict(credits, day_views, 2, 10_000)[:2] == (stats.WINNER, 1)
    swapped = [stats.Credit(c.day, 1 - c.arm, c.amount_minor) for c in credits]
    views = {d: v[::-1] for d, v in day_views.items()}
    assert stats.verdict(swapped, views, 2, 10_000)[:2] == (stats.WINNER, 0)


def test_one_huge_pledge_does_not_decide():
    """A/A, then one £5,000 pledge on B: capped at £100, it moves the evidence by one bet."""
    credits, day_views = _world(np.random.default_rng(2), 30, 2000, [0.006, 0.006])
    assert stats.verdict(credits, day_views, 2, 10_000)[0] != stats.WINNER
    huge = [*credits, stats.Credit(29, 1, 500_000)]
    assert stats.verdict(huge, day_views, 2, 10_000)[0] != stats.WINNER
    # Uncapped (a cap as large as the pledge), the same pledge would be worth 300 others.
    assert 500_000 / np.mean([c.amount_minor for c in credits]) > 100


def test_too_early_below_the_minimum_whatever_the_evidence():
    credits = [stats.Credit(0, 1, 10_000) for _ in range(stats.MIN_PLEDGES - 1)]
    said, winner, _ = stats.verdict(credits, {0: [10_000, 10_000]}, 2, 10_000)
    assert (said, winner) == (stats.TOO_EARLY, None)


def test_no_clear_winner_once_the_planned_views_are_in():
    credits, day_views = _world(np.random.default_rng(3), 160, 6000, [0.006, 0.006])
    said, winner, more = stats.verdict(credits, day_views, 2, 10_000)
    assert (said, winner, more) == (stats.NO_CLEAR_WINNER, None, 0)


def test_the_lift_interval_covers_the_truth():
    """95% always-valid intervals: the true lift (+50%) inside in at least 18 of 20 worlds, and
    they narrow as views come in."""
    inside, widths = 0, []
    for seed in range(20):
        credits, day_views = _world(np.random.default_rng(seed), 30, 3000, [0.004, 0.006])
        low, high = stats.lift_interval(credits, day_views, 0, 1, 10_000)
        inside += low <= 0.5 <= high
        half = [c for c in credits if c.day < 15]
        low_half, high_half = stats.lift_interval(
            half, {d: v for d, v in day_views.items() if d < 15}, 0, 1, 10_000
        )
        widths.append((high - low) < (high_half - low_half))
    assert inside >= 18
    assert sum(widths) >= 18


@given(st.floats(0.05, 1.0), st.floats(0.001, 0.05), st.floats(0.05, 1.0))
def test_views_needed_falls_as_the_lift_grows(lift, rate, rho):
    small = stats.views_needed(lift, rate, rho)
    large = stats.views_needed(lift * 1.5, rate, rho)
    assert large <= small
    assert stats.views_needed(lift, rate * 2, rho) <= small
    assert math.isfinite(small)
