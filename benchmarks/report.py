"""Benchmark: `flask import` throughput and the report API's time, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/report.py                    # 100k and 1M clicks, both engines
    .venv/bin/python benchmarks/report.py --clicks 100000 --engines sqlite

For each size, a seeded history (benchmarks/history.py: 100,000 shares, 20,000 pledges and the
clicks) is written once to benchmarks/.data/, imported into a fresh database with
`flask import`, then GET /api/v1/campaigns/bench/report is timed in-process (JSON, and each
CSV table). PostgreSQL gets its own database (DATABASE_URL's server, or 127.0.0.1), dropped
afterwards, and a VACUUM ANALYZE after the import as autovacuum would run in production.
Then the staff pages over the same data, signed in through the real form: the campaign's
report page (/staff/campaigns/bench, also ?model=linear) and the campaigns list.
Targets: import >= 20,000 lines/s on SQLite; report <= 1 s for 1M clicks on both engines;
the report page <= 1.5 s for 1M clicks.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import history  # noqa: E402

DATA = ROOT / "benchmarks" / ".data"
FLASK = str(Path(sys.executable).parent / "flask")
QUERIES = [
    ("json", {}),
    ("json ?model=linear", {"model": "linear"}),
    ("csv channels", {"format": "csv", "table": "channels"}),
    ("csv promoters", {"format": "csv", "table": "promoters"}),
    ("csv daily", {"format": "csv", "table": "daily"}),
]


def history_file(clicks: int) -> tuple[Path, int]:
    """The seeded import file for `clicks` clicks, written once; (path, lines)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"history-{clicks}.jsonl"
    if not path.exists():
        print(f"writing {path.name} …", file=sys.stderr, flush=True)
        partial = path.with_suffix(".partial")
        with partial.open("w") as out:
            for record in history.lines(clicks, 100_000, 20_000):
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
        partial.rename(path)
    with path.open("rb") as f:
        return path, sum(1 for _ in f)


_GIVEN_URL = os.environ.get("DATABASE_URL", "")


def pg_server_url() -> str:
    """The PostgreSQL server to make benchmark databases on."""
    url = _GIVEN_URL if _GIVEN_URL.startswith("postgres") else ""
    url = url or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


class Database:
    """A fresh database of one engine, removed on exit."""

    def __init__(self, engine: str, label: str):
        self.engine, self.label = engine, label

    def __enter__(self) -> str:
        if self.engine == "sqlite":
            self._dir = tempfile.TemporaryDirectory(prefix="st-bench-")
            self.url = f"sqlite:///{self._dir.name}/bench.db"
        else:
            server = sa.engine.make_url(pg_server_url())
            self._admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
            self._name = f"st_bench_{self.label}_{os.getpid()}"
            with self._admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._name}"'))
                conn.execute(sa.text(f'CREATE DATABASE "{self._name}"'))
            self.url = server.set(database=self._name).render_as_string(hide_password=False)
        return self.url

    def __exit__(self, *exc) -> None:
        if self.engine == "sqlite":
            self._dir.cleanup()
        else:
            with self._admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
            self._admin.dispose()


def flask(url: str, *args: str) -> float:
    """Run a flask command against `url`; returns its wall-clock seconds."""
    env = os.environ | {"DATABASE_URL": url, "FLASK_DEBUG": "1"}
    started = time.perf_counter()
    subprocess.run([FLASK, "--app", "sharetrack", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def time_report(url: str, runs: int) -> list[tuple[str, float, float]]:
    """(query, first ms, median ms of the next runs) for each report query."""
    os.environ["DATABASE_URL"] = url
    from sharetrack import create_app
    from sharetrack.auth import api_keys
    from sharetrack.extensions import db

    app = create_app({"TESTING": True})
    with app.app_context():
        _, key = api_keys.create(db.session, "benchmark")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    out = []
    for name, params in QUERIES:
        times = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            response = client.get("/api/v1/campaigns/bench/report", headers=headers,
                                  query_string=params)  # fmt: skip
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
        out.append((name, times[0], statistics.median(times[1:])))
    with app.app_context():
        db.engine.dispose()
    return out


PAGES = [
    ("report page", "/staff/campaigns/bench"),
    ("report page ?model=linear", "/staff/campaigns/bench?model=linear"),
    ("campaigns list", "/staff/"),
]


def time_pages(url: str, runs: int) -> list[tuple[str, float, float]]:
    """(page, first ms, median ms of the next runs) for each staff page, signed in."""
    import re

    os.environ["DATABASE_URL"] = url
    from sharetrack import create_app
    from sharetrack.auth import staff
    from sharetrack.extensions import db

    password = "benchmark password"  # noqa: S105
    app = create_app({"TESTING": True})
    with app.app_context():
        staff.create(db.session, "bench@example.org", password, "viewer")
        db.session.commit()
    client = app.test_client()
    form = client.get("/staff/login").text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    signed = client.post("/staff/login", data={"csrf_token": csrf, "email": "bench@example.org",
                                               "password": password})  # fmt: skip
    assert signed.status_code == 302, signed.status_code
    out = []
    for name, path in PAGES:
        times = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
        out.append((name, times[0], statistics.median(times[1:])))
    with app.app_context():
        # The page's share of channel_estimates (estimates/service.py), timed on its own.
        from sharetrack.campaigns.service import by_slug
        from sharetrack.estimates.service import channel_estimates

        times = []
        for _ in range(runs):
            started = time.perf_counter()
            channel_estimates(db.session, by_slug(db.session, "bench"))
            times.append((time.perf_counter() - started) * 1000)
        out.append(("of which channel_estimates", times[0], statistics.median(times)))
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the first")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start\n")
    for clicks in args.clicks:
        path, lines = history_file(clicks)
        for engine in args.engines:
            with Database(engine, str(clicks)) as url:
                flask(url, "db", "upgrade")
                seconds = flask(url, "import", str(path))
                if engine == "postgresql":
                    vacuum = sa.create_engine(url, isolation_level="AUTOCOMMIT")
                    with vacuum.connect() as conn:
                        conn.execute(sa.text("VACUUM ANALYZE"))
                    vacuum.dispose()
                print(f"== {engine}, {clicks:,} clicks ({lines:,} lines)")
                print(f"   import: {seconds:6.1f} s  = {lines / seconds:9,.0f} lines/s")
                for name, first, median in time_report(url, args.runs):
                    print(f"   report {name:20s} first {first:6.0f} ms   median {median:6.0f} ms")
                for name, first, median in time_pages(url, args.runs):
                    print(f"   page {name:26s} first {first:6.0f} ms   median {median:6.0f} ms")
                print(f"   load average now {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
