"""Benchmark: GET /api/v1/campaigns/bench/share-value, cold and cached, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/share_value.py                       # 1M clicks, both engines
    .venv/bin/python benchmarks/share_value.py --clicks 100000 --engines sqlite

Imports the same seeded history as benchmarks/report.py (100,000 shares, 20,000 pledges and
the clicks) into a fresh database, then times in-process: the cold request (no stored figures:
every share and credit read and the estimator run), cached requests (the shared figures row
read, full body) and revalidations (If-None-Match → 304). Targets: cold <= 2 s, cached <= 200 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import sqlalchemy as sa
from report import Database, flask, history_file


def time_share_value(url: str, runs: int) -> dict[str, float]:
    """Milliseconds: cold, and medians of cached and revalidated requests."""
    os.environ["DATABASE_URL"] = url
    from sharetrack import create_app
    from sharetrack.extensions import db

    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    path = "/api/v1/campaigns/bench/share-value"

    def timed(**kwargs) -> tuple[float, object]:
        started = time.perf_counter()
        response = client.get(path, **kwargs)
        return (time.perf_counter() - started) * 1000, response

    # CPU time of this process too: on a machine shared with other work, wall time mostly
    # measures the wait for a core (SQLite runs in-process; PostgreSQL's own work is not in it).
    cpu = time.process_time()
    cold, response = timed()
    cold_cpu = (time.process_time() - cpu) * 1000
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    etag = response.headers["ETag"]
    cached = [timed()[0] for _ in range(runs)]
    revalidated = []
    for _ in range(runs):
        ms, response = timed(headers={"If-None-Match": etag})
        assert response.status_code == 304
        revalidated.append(ms)
    with app.app_context():
        db.engine.dispose()
    return {
        "cold": cold,
        "cold_cpu": cold_cpu,
        "cached": statistics.median(cached),
        "304": statistics.median(revalidated),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--url", help="time this already imported database instead")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start\n")
    print("| engine | clicks | cold | cold, CPU time | cached (median) | 304 (median) |")
    print("| --- | --- | --- | --- | --- | --- |")
    if args.url:
        t = time_share_value(args.url, args.runs)
        print(
            f"| {args.url} | | {t['cold']:.0f} ms | {t['cold_cpu']:.0f} ms "
            f"| {t['cached']:.1f} ms | {t['304']:.1f} ms |"
        )
        return
    for clicks in args.clicks:
        path, _lines = history_file(clicks)
        for engine in args.engines:
            with Database(engine, f"sv{clicks}") as url:
                flask(url, "db", "upgrade")
                flask(url, "import", str(path))
                if engine == "postgresql":
                    vacuum = sa.create_engine(url, isolation_level="AUTOCOMMIT")
                    with vacuum.connect() as conn:
                        conn.execute(sa.text("VACUUM ANALYZE"))
                    vacuum.dispose()
                t = time_share_value(url, args.runs)
                print(
                    f"| {engine} | {clicks:,} | {t['cold']:.0f} ms | {t['cold_cpu']:.0f} ms "
                    f"| {t['cached']:.1f} ms | {t['304']:.1f} ms |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
