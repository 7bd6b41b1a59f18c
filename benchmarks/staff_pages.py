"""Time the staff pages and a promoter's page over a campaign with many clicks.

    .venv/bin/python benchmarks/staff_pages.py --clicks 1000000 --shares 100000

Builds a throwaway SQLite database (or, with DATABASE_URL set to PostgreSQL, a private schema
dropped afterwards), signs in through the real form, and prints the median of five requests
per page. Run by hand; the figures go in the report, not in a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sharetrack import create_app  # noqa: E402
from sharetrack.auth import staff  # noqa: E402
from sharetrack.extensions import db  # noqa: E402
from sharetrack.links import service as links  # noqa: E402
from sharetrack.models import CHANNELS, Campaign, Click, Promoter, Share  # noqa: E402
from sharetrack.promoters import identity  # noqa: E402
from sharetrack.services import services  # noqa: E402

PASSWORD = "benchmark password"  # noqa: S105


def database(tmp: str) -> tuple[dict, str | None]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"}, None
    schema = f"st_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    return {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options}, schema


def fill(n_shares: int, n_clicks: int, rng: random.Random) -> str:
    """One big campaign and a small one; returns a promoter code of the big one."""
    big = Campaign(slug="big", title="Big", landing_url="https://case.example/", target_minor=10**8)
    small = Campaign(slug="small", title="Small", landing_url="https://case.example/")
    db.session.add_all([big, small])
    db.session.flush()
    channels = [c for c in CHANNELS if c != "leaflet"]
    n_promoters = -(-n_shares // len(channels))
    db.session.execute(sa.insert(Promoter), [{"code": f"p{i:015d}"} for i in range(n_promoters)])
    first_promoter = db.session.scalar(sa.select(sa.func.min(Promoter.id)))
    shares = [
        {
            "campaign_id": big.id,
            "promoter_id": first_promoter + i // len(channels),
            "channel": channels[i % len(channels)],
        }
        for i in range(n_shares)
    ]
    db.session.execute(sa.insert(Share), shares)
    first_share = db.session.scalar(sa.select(sa.func.min(Share.id)))
    start = dt.datetime(2026, 1, 1)
    batch = 50_000
    for offset in range(0, n_clicks, batch):
        rows = []
        for _ in range(min(batch, n_clicks - offset)):
            bot = rng.random() < 0.1
            rows.append(
                {
                    "share_id": first_share + int(rng.paretovariate(1.2)) % n_shares,
                    "at": start + dt.timedelta(seconds=rng.randrange(90 * 86400)),
                    "is_bot": bot,
                    "visitor_hash": rng.randbytes(16) if not bot and rng.random() < 0.7 else None,
                    "is_scan": False,
                }
            )
        db.session.execute(sa.insert(Click), rows)
    staff.create(db.session, "bench@example.org", PASSWORD, "viewer")
    db.session.commit()
    return "p000000000000000"


def median_ms(client, path: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--shares", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config, schema = database(tmp)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", **config})
        try:
            with app.app_context():
                db.create_all()
                t = time.perf_counter()
                code = fill(args.shares, args.clicks, random.Random(7))
                print(
                    f"filled {args.shares:,} shares, {args.clicks:,} clicks "
                    f"in {time.perf_counter() - t:.1f} s ({db.engine.dialect.name})"
                )
                promoter = links.promoter_by_code(db.session, code)
                token = identity.private_key(services(app).tokens, promoter)
                db.session.commit()
            client = app.test_client()
            form = client.get("/staff/login").text
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            client.post(
                "/staff/login",
                data={"csrf_token": csrf, "email": "bench@example.org", "password": PASSWORD},
            )
            for label, path in [
                ("campaigns list  /staff/", "/staff/"),
                ("campaign page   /staff/campaigns/big", "/staff/campaigns/big"),
                ("top promoter    /p/<token>", f"/p/{token}"),
            ]:
                print(f"{label:40s} {median_ms(client, path):8.1f} ms (median of 5)")
        finally:
            with app.app_context():
                db.session.remove()
                if schema:
                    with db.engine.begin() as conn:
                        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                db.engine.dispose()


if __name__ == "__main__":
    main()
