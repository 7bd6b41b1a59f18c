"""The redirect's own cost, without a server or a load generator: microseconds per request.

    .venv/bin/python benchmarks/redirect_inprocess.py            # the figures
    .venv/bin/python benchmarks/redirect_inprocess.py --profile  # and where a click's time goes
    .venv/bin/python benchmarks/redirect_inprocess.py --postgres --profile  # on PostgreSQL

Builds a throwaway SQLite database with the demo campaign, then calls the WSGI apps directly
with one prepared request, repeatedly: sharetrack with a valid link (every click stored),
sharetrack with a forged link, and the bare Flask app of benchmarks/bare_app.py. Prints the
best of five rounds of 1,000 calls each. `benchmarks/redirect.sh` measures the same through
gunicorn and wrk; this one shows where the time goes (ADR 0008).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


PG_URL = os.environ.get("PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def prepare(folder: Path, schema: str | None = None):
    """The app on a fresh database (SQLite, or a PostgreSQL schema) with the demo campaign;
    (app, a valid token)."""
    if schema is None:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    else:
        os.environ["DATABASE_URL"] = f"{PG_URL}?options=-csearch_path%3D{schema}"
    os.environ["SHARETRACK_SECRET_KEY"] = os.urandom(32).hex()
    os.environ["SHARETRACK_BASE_URL"] = "https://share.example.org"
    os.environ["SHARETRACK_RATELIMIT_REDIRECT"] = "100000000/minute"  # one client, many clicks
    from flask_migrate import upgrade

    from sharetrack import create_app, demo
    from sharetrack.extensions import db
    from sharetrack.services import services

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.load(db.session, "http://127.0.0.1:5000")
        token = demo.demo_link_token(db.session, services(app).tokens)
        db.session.commit()
    return app, token


def per_call(app, path: str, rounds: int = 5, calls: int = 1000) -> float:
    """Best-of-rounds microseconds per call of `app` on GET `path`."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(
        path=path, headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ).get_environ()

    def run(n: int) -> None:
        for _ in range(n):
            body = app(dict(environ), lambda *_args: None)
            for _chunk in body:
                pass
            getattr(body, "close", lambda: None)()

    run(200)  # warm: caches, the day's salt, the 404 page
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run(calls)
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="profile 3,000 valid clicks")
    parser.add_argument("--sort", default="tottime", help="profile order: tottime, cumulative")
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (PG_URL)")
    args = parser.parse_args()
    schema = f"bench_{os.getpid()}" if args.postgres else None
    if schema:
        import sqlalchemy as sa

        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run_all(args, *prepare(Path(tmp), schema))
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def run_all(args, app, token: str) -> None:
    """Print the figures (and the profile if asked)."""
    from bare_app import app as bare

    forged = token[:-1] + ("1" if token[-1] == "0" else "0")
    figures = {
        "bare Flask 302": per_call(bare, f"/s/{token}"),
        "sharetrack, valid link (stored)": per_call(app, f"/s/{token}"),
        "sharetrack, forged link": per_call(app, f"/s/{forged}"),
    }
    for name, micros in figures.items():
        print(f"{name:<34}{micros:8.0f} µs per request")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(per_call, app, f"/s/{token}", 1, 3000)
        pstats.Stats(profile).sort_stats(args.sort).print_stats(30)


if __name__ == "__main__":
    main()
