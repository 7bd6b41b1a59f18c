"""Benchmark: the report's timing attribution (reports/refless.py) on a big campaign, first load.

    .venv/bin/python benchmarks/report_timing.py                          # 1M clicks, both engines
    .venv/bin/python benchmarks/report_timing.py --clicks 100000 --engines sqlite

The seeded history of benchmarks/report.py (100,000 shares, 20,000 pledges, the clicks) with half
the pledges' refs dropped (a seeded half: pledges made on a platform's page, by bank transfer),
imported into a fresh database. Times in-process, in milliseconds: the first load (the shared
cache emptied: clicks read, the model fitted), a reload (the figures kept in the shared cache,
named by the data's fingerprint) and reading the clicks per channel and hour (medians of
--runs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time

import history
from report import DATA, Database, flask


def refless_history(clicks: int) -> str:
    """The seeded history with half the pledges' refs dropped, written once."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"history-refless-{clicks}.jsonl"
    if not path.exists():
        rng = random.Random(25)
        partial = path.with_suffix(".partial")
        with partial.open("w") as out:
            for record in history.lines(clicks, 100_000, 20_000):
                if record["type"] == "pledge" and rng.random() < 0.5:
                    record["refs"] = []
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
        partial.rename(path)
    return str(path)


def time_timing(url: str, runs: int) -> dict[str, float]:
    os.environ["DATABASE_URL"] = url
    from sharetrack import cache, create_app
    from sharetrack.estimates import refless
    from sharetrack.extensions import db
    from sharetrack.models import Campaign

    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    with app.app_context():
        campaign = db.session.query(Campaign).filter_by(slug="bench").one()
        cache.cache.clear()
        started = time.perf_counter()
        cold = refless.figures(db.session, campaign)
        cold_ms = (time.perf_counter() - started) * 1000
        assert cold.without_ref_pledges > 0 and cold.channels, cold
        pledges = refless._refless(db.session, campaign.id)
        end = pledges[-1][0] + refless.HOUR
        start = refless._first_activity(db.session, campaign.id, pledges[0][0])
        start = start.replace(minute=0, second=0, microsecond=0)
        hours = int((end - start) / refless.HOUR) + 1
        read = []
        for _ in range(runs):
            started = time.perf_counter()
            refless._clicks(db.session, campaign.id, start, hours)
            read.append((time.perf_counter() - started) * 1000)
        cached = []
        for _ in range(runs):
            started = time.perf_counter()
            again = refless.figures(db.session, campaign)
            cached.append((time.perf_counter() - started) * 1000)
        assert again.channels == cold.channels
        db.session.rollback()
        db.engine.dispose()
    return {
        "cold": cold_ms,
        "clicks": statistics.median(read),
        "cached": statistics.median(cached),
        "pledges": cold.without_ref_pledges,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start\n")
    print("| engine | clicks | ref-less pledges | first load | reload | clicks by hour read |")
    print("| --- | --- | --- | --- | --- | --- |")
    for clicks in args.clicks:
        path = refless_history(clicks)
        for engine in args.engines:
            with Database(engine, f"rt{clicks}") as url:
                flask(url, "db", "upgrade")
                flask(url, "import", path)
                t = time_timing(url, args.runs)
                print(f"| {engine} | {clicks:,} | {t['pledges']:,} | {t['cold']:.0f} ms "
                      f"| {t['cached']:.0f} ms | {t['clicks']:.0f} ms |",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
