"""Benchmark: experiments on the ask, many simulated experiments with known truth.

    .venv/bin/python benchmarks/experiments.py              # 400 experiments per row
    .venv/bin/python benchmarks/experiments.py --runs 100

Two structurally different worlds (tests/experiments/world.py): `gamma` (gamma sizes, quick
pledges, the lift in pledges per share) and `heavy` (lognormal sizes with 1 in 200 pledges of
£500–£5,000, slow pledges over a 45-day window, the lift in the share rate). Each experiment is
run day by day through the real statistics (sharetrack/experiments/stats.py) and its verdict
read after every day. Targets (issue 23): A/A winner ≤ 5%; A/B +30% money per view found in
≥ 80% by the views docs/experiments.md states (stats.views_needed), the worse one ≤ 1%;
adaptive allocation raises more in total than equal, with the same false-winner rate.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.experiments import world as w  # noqa: E402


def row(label: str, world: w.World, runs: int, look: int, seed0: int) -> dict:
    started = time.perf_counter()
    got = w.summary(world, range(seed0, seed0 + runs), look_by=look)
    print(
        f"{label:34} runs {runs:4}  B wins {got['winner'].get(1, 0):6.1%}  "
        f"A wins {got['winner'].get(0, 0):6.1%}  money £{got['money_minor'] / 100 / runs:9,.0f}/exp"
        f"  ({time.perf_counter() - started:.0f} s)"
    )
    return got


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--worlds", nargs="*", default=["gamma", "heavy"])
    parser.add_argument("--lift", type=float, default=0.30)
    args = parser.parse_args()
    for kind in args.worlds:
        planned = w.planned_views(w.base(kind), args.lift)
        days = w.look_day(w.base(kind), planned)
        print(
            f"\n== {kind}: +{args.lift:.0%} needs {planned:,} mature views per variant "
            f"(stats.views_needed); verdict read daily up to day {days}"
        )
        for adaptive in (False, True):
            name = "adaptive" if adaptive else "equal"
            aa = row(f"A/A {name}", w.base(kind, 0, adaptive, days + 1), args.runs, days, 0)
            ab = row(
                f"A/B +{args.lift:.0%} {name}",
                w.base(kind, args.lift, adaptive, days + 1),
                args.runs,
                days,
                10_000,
            )
            del aa, ab
        long = 2 * days
        row(
            f"A/A equal, read daily to day {long}",
            w.base(kind, 0, False, long + 1),
            args.runs,
            long,
            20_000,
        )
        contaminated = w.base(kind, args.lift, False, days + 1)
        contaminated.contamination = 0.3
        row(f"A/B +{args.lift:.0%} equal, 30% contamination", contaminated, args.runs, days, 30_000)


if __name__ == "__main__":
    main()
