"""The estimate against a crude baseline, with a margin, on small worlds of three simulators.

The outside review found that a crude estimator met every acceptance bound of the suite:
`(credited + 80 × the channel's mean per share) / (shares + 80)` with a fixed 90% interval
[0.45e, 1.9e], no delay curve and no size model. Here ours must beat it by a margin where the
world has what the crude one ignores (campaign-wide effects, heavy tails, young campaigns), and
its intervals must be both calibrated and sharp (a "90%" interval widened to 95% fails).
Pure estimator, seeded worlds, cheap; benchmarks/estimate_quality.py runs the full ones.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from dataclasses import dataclass

from sharetrack.estimates import figures
from sharetrack.estimates.share_value import ShareHistory, estimate_many
from tests.estimates import odd_world, worlds
from tests.estimates.test_calibration import histories as first_histories
from tests.estimates.test_simulation import simulate

NOW = dt.datetime(2026, 11, 26, 12)
CRUDE_SHARES, CRUDE_LOW, CRUDE_HIGH = 80, 0.45, 1.9


@dataclass
class Scores:
    """Summed absolute errors (mature campaigns), interval hits and widths, young sums."""

    ours: float = 0.0
    crude: float = 0.0
    plain: float = 0.0
    cells: int = 0
    covered: int = 0
    crude_covered: int = 0
    log_widths: list[float] | None = None
    young: float = 0.0
    young_crude: float = 0.0
    young_truth: float = 0.0

    def add(self, other: Scores) -> None:
        for name in ("ours", "crude", "plain", "cells", "covered", "crude_covered", "young",
                     "young_crude", "young_truth"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.log_widths = (self.log_widths or []) + (other.log_widths or [])


def score(items: list[ShareHistory], truth: dict, young: frozenset[str]) -> Scores:
    """Ours and the crude baseline against the truth, cell by cell."""
    slugs = sorted({c for c, _h in truth})
    channels = sorted({h for _c, h in truth})
    money: dict[tuple[str, str], float] = {}
    count: dict[tuple[str, str], int] = {}
    for h in items:
        cell = (h.campaign, h.channel)
        money[cell] = money.get(cell, 0.0) + sum(a for _d, a in h.credits)
        count[cell] = count.get(cell, 0) + 1
    mean = {
        ch: sum(v for k, v in money.items() if k[1] == ch)
        / sum(v for k, v in count.items() if k[1] == ch)
        for ch in channels
    }
    estimates = estimate_many(items, channels, slugs)
    s = Scores(log_widths=[])
    for (slug, channel), true in truth.items():
        e = estimates[slug][channel]
        n = count.get((slug, channel), 0)
        crude = (money.get((slug, channel), 0.0) + CRUDE_SHARES * mean[channel]) / (
            n + CRUDE_SHARES
        )
        s.cells += 1
        s.covered += e.low_minor <= true <= e.high_minor
        s.crude_covered += CRUDE_LOW * crude <= true <= CRUDE_HIGH * crude
        if e.low_minor > 0:
            s.log_widths.append(math.log(e.high_minor / e.low_minor))
        if slug in young:
            s.young += e.estimate_minor
            s.young_crude += crude
            s.young_truth += true
        elif n:
            s.ours += abs(e.estimate_minor - true)
            s.crude += abs(crude - true)
            s.plain += abs(money.get((slug, channel), 0.0) / n - true)
    return s


def first(seed: int) -> Scores:
    records, truth = simulate(random.Random(seed), NOW, campaigns=10, young=2)
    return score(first_histories(records), truth, frozenset({"sim-10", "sim-11"}))


def second(seed: int) -> Scores:
    world = worlds.second(random.Random(seed), NOW, campaigns=8, young=2)
    return score(worlds.histories(world.records, NOW), world.truth, world.young)


def odd(seed: int) -> Scores:
    world = odd_world.world(seed, campaigns=8)
    return score(world.histories, world.truth, world.young)


def total(run, seeds) -> Scores:
    out = Scores(log_widths=[])
    for seed in seeds:
        out.add(run(seed))
    return out


def test_where_campaigns_differ_and_tails_are_heavy_it_beats_the_crude_baseline():
    s = total(second, range(1, 5))
    report = f"{s}"
    assert s.ours <= 0.8 * s.crude, report
    assert 0.8 <= s.covered / s.cells <= 0.96, report
    assert s.covered / s.cells >= s.crude_covered / s.cells + 0.1, report


def test_on_the_first_world_intervals_are_calibrated_and_sharper_than_the_crude_ones():
    """The first simulator is the crude baseline's own model (channel means, independent
    cells, no campaign effect): there its mature error is about ours. Ours must still be as
    well calibrated with narrower intervals, and not biased low on young campaigns."""
    s = total(first, range(1, 5))
    report = f"{s}"
    coverage = s.covered / s.cells
    assert 0.85 <= coverage <= 0.95, report  # a 95% interval covers more than this
    assert statistics.mean(s.log_widths) < math.log(CRUDE_HIGH / CRUDE_LOW), report
    assert 0.85 <= s.young / s.young_truth <= 1.15, report
    assert s.young_crude / s.young_truth < 0.8, report
    assert s.ours <= 1.35 * s.crude, report


def test_the_reviews_world_fixed_gifts_censored_hours_and_lumpy_shares():
    """odd_world.py: the fixed-£10 channel is not inflated by the pool's tail, the day-old
    campaign is not inflated by hours-old shares, and intervals still mostly cover."""
    for seed in (1, 2):
        world = odd_world.world(seed, campaigns=8)
        slugs = sorted({c for c, _h in world.truth})
        found = estimate_many(world.histories, list(odd_world.RATE), slugs)
        fixed = [(found[c]["whatsapp"].estimate_minor, world.truth[(c, "whatsapp")])
                 for c in slugs if c not in world.young]  # fmt: skip
        ratio = sum(e for e, _t in fixed) / sum(t for _e, t in fixed)
        assert 0.8 <= ratio <= 1.25, (seed, fixed)
        day_old = slugs[-2]  # odd-8: one day old
        shown = {ch: e for ch, e in found[day_old].items() if figures.shows_amount(e, "GBP")}
        for channel, e in shown.items():
            assert e.estimate_minor <= 2 * world.truth[(day_old, channel)], (seed, channel, e)
    s = total(odd, (1, 2))
    assert s.covered / s.cells >= 0.7, s  # below 90%: docs/estimate.md, what could fool it
