"""The third simulator: clicks in bursts, pledges that follow them after hours to days, pledges
no share caused, and refs that survive mostly on quick pledges. Truth known per pledge.

Structurally unlike the first two (tests/estimates/test_simulation.py, worlds.py): those
simulate credited shares; this one simulates the timing of clicks and pledges, hour by hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sharetrack.estimates import timing

CHANNELS = ["facebook", "x", "whatsapp", "email"]


@dataclass
class TimingWorld:
    clicks: np.ndarray  # channels × hours
    hours: np.ndarray  # each pledge's hour (float)
    amounts: np.ndarray
    cause: np.ndarray  # channel index, or -1 for no share
    has_ref: np.ndarray  # bool
    delays: np.ndarray  # hours from its click (nan for no share)


def simulate(rng: np.random.Generator, days: int = 30) -> TimingWorld:
    hours = days * 24
    diurnal = 1 + 0.6 * np.sin(2 * math.pi * (np.arange(hours) % 24 - 9) / 24)
    clicks = np.zeros((len(CHANNELS), hours))
    press = rng.integers(0, hours - 24, size=2)
    baseline = rng.uniform(0.04, 0.15) * diurnal
    for start in press:  # press drives every channel and the baseline at once
        baseline[start : start + 24] *= 4
    for c in range(len(CHANNELS)):
        starts = list(rng.integers(0, hours, size=rng.poisson(5) + 1)) + list(press)
        for start in starts:
            size = rng.lognormal(math.log(60), 1.0)
            tau = rng.uniform(2, 12)
            span = np.arange(hours - start)
            clicks[c, start:] += rng.poisson(size * (1 - math.exp(-1 / tau)) * np.exp(-span / tau))
        clicks[c] += rng.poisson(rng.uniform(0.1, 0.6) * diurnal)
    p = rng.uniform(0.01, 0.05, size=len(CHANNELS))
    median, sd = rng.uniform(2, 30), rng.uniform(0.7, 1.5)
    at, cause, delays = [], [], []
    for c in range(len(CHANNELS)):
        for h in np.nonzero(clicks[c])[0]:
            k = rng.binomial(int(clicks[c, h]), p[c])
            for _ in range(k):
                d = rng.lognormal(math.log(median), sd)
                when = h + rng.random() + d
                if when < hours:
                    at.append(when)
                    cause.append(c)
                    delays.append(d)
    for h in range(hours):
        for _ in range(rng.poisson(baseline[h])):
            at.append(h + rng.random())
            cause.append(-1)
            delays.append(math.nan)
    at, cause, delays = np.array(at), np.array(cause), np.array(delays)
    keep = rng.random(len(at)) < 0.7 * np.exp(-np.nan_to_num(delays, nan=1e9) / 12)
    amounts = np.round(rng.lognormal(math.log(2500), 0.8, size=len(at))).astype(int)
    return TimingWorld(clicks, at, amounts, cause, keep, delays)


@dataclass
class Scores:
    ours_error: float
    naive_error: float
    cells: int
    covered: int


def naive_split(world: TimingWorld, mask: np.ndarray) -> np.ndarray:
    """Each pledge split among channels by their clicks in the 24 hours before it."""
    cum = np.concatenate([np.zeros((world.clicks.shape[0], 1)), world.clicks.cumsum(axis=1)], 1)
    out = np.zeros(world.clicks.shape[0])
    for h, amount in zip(world.hours[mask], world.amounts[mask], strict=True):
        end = int(h) + 1
        recent = cum[:, end] - cum[:, max(end - 24, 0)]
        if recent.sum() > 0:
            out += amount * recent / recent.sum()
    return out


def score(world: TimingWorld, target: np.ndarray, learn_from: np.ndarray, seed: int) -> Scores:
    """Ours and the naive split on the pledges in `target` (treated as ref-less), the kernel
    learned from the delays of pledges in `learn_from`."""
    kernel, _ = timing.learn_kernel(list(world.delays[learn_from]))
    credit = timing.attribute(
        CHANNELS,
        world.clicks,
        world.hours[target].astype(int),
        kernel,
        world.amounts[target],
        seed=seed,
    )
    money = credit.money()
    truth = np.array(
        [world.amounts[target][world.cause[target] == c].sum() for c in range(len(CHANNELS))]
    )
    naive = naive_split(world, target)
    ours = np.array([money[ch][0] for ch in CHANNELS])
    covered = sum(money[ch][1] <= t <= money[ch][2] for ch, t in zip(CHANNELS, truth, strict=True))
    return Scores(
        float(np.abs(ours - truth).sum()),
        float(np.abs(naive - truth).sum()),
        len(CHANNELS),
        int(covered),
    )


def run(seed: int) -> tuple[Scores, Scores]:
    """(ref-less pledges, held-out ref-carrying pledges with their refs stripped)."""
    rng = np.random.default_rng(seed)
    world = simulate(rng)
    refless = ~world.has_ref
    main = score(world, refless, world.has_ref, seed)
    held = world.has_ref & (rng.random(len(world.hours)) < 0.5)
    held_out = score(world, held, world.has_ref & ~held, seed)
    return main, held_out
