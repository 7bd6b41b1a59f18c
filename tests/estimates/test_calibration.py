"""Calibration of the 90% interval over many simulated worlds, on the pure estimator.

test_simulation.py runs one seeded world end to end through `flask import`; one world says
little about an interval's coverage (80 cells: ±3 points of noise, and worlds differ). Here ten
worlds from the same simulation feed estimate_all directly, every credit going to its own
share as under last click, and the intervals must cover the true value about 90% of the time.
"""

from __future__ import annotations

import datetime as dt
import random

from sharetrack.estimates.share_value import ShareHistory, estimate_many
from tests.estimates.test_simulation import CHANNELS, WINDOW, simulate

NOW = dt.datetime(2026, 11, 26, 12)
SEEDS = range(1, 11)
CAMPAIGNS, YOUNG = 16, 2


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=None)


def histories(records: list[dict]) -> list[ShareHistory]:
    """The simulation's import records as the estimator's input."""
    shares, credits = {}, {}
    for record in records:
        if record["type"] == "share":
            shares[record["key"]] = (
                record["campaign"],
                record["channel"],
                _when(record["created_at"]),
            )
        elif record["type"] == "pledge":
            created = shares[record["share"]][2]
            delay = (_when(record["at"]) - created).total_seconds() / 86400
            credits.setdefault(record["share"], []).append((delay, float(record["amount_minor"])))
    return [
        ShareHistory(slug, channel, (NOW - created).total_seconds() / 86400, WINDOW,
                     tuple(credits.get(key, ())))
        for key, (slug, channel, created) in shares.items()
    ]  # fmt: skip


def world(seed: int) -> tuple[float, float]:
    """(share of cells whose interval holds the truth, our error over the plain ratio's)."""
    records, truth = simulate(random.Random(seed), NOW, campaigns=CAMPAIGNS, young=YOUNG)
    items = histories(records)
    money, count = {}, {}
    for h in items:
        cell = (h.campaign, h.channel)
        money[cell] = money.get(cell, 0.0) + sum(amount for _delay, amount in h.credits)
        count[cell] = count.get(cell, 0) + 1
    covered, ours, plain = [], 0.0, 0.0
    slugs = [f"sim-{n}" for n in range(CAMPAIGNS + YOUNG)]
    estimates = estimate_many(items, CHANNELS, slugs)  # the effects fitted once per world
    for n, slug in enumerate(slugs):
        for channel, e in estimates[slug].items():
            true = truth[(slug, channel)]
            covered.append(e.low_minor <= true <= e.high_minor)
            if n < CAMPAIGNS:  # young campaigns' plain ratios are biased low by design
                ours += abs(e.estimate_minor - true)
                plain += abs(money[(slug, channel)] / count[(slug, channel)] - true)
    return sum(covered) / len(covered), ours / plain


def test_the_90_percent_interval_covers_about_90_percent_across_worlds():
    results = {seed: world(seed) for seed in SEEDS}
    report = "\n".join(
        f"seed {s}: coverage {c:.0%}, error vs plain {e:.2f}" for s, (c, e) in results.items()
    )
    coverage = sum(c for c, _ in results.values()) / len(results)
    assert 0.85 <= coverage <= 0.96, f"mean coverage {coverage:.1%}\n{report}"
    assert min(c for c, _ in results.values()) >= 0.78, report
    assert max(e for _, e in results.values()) <= 0.7, report
