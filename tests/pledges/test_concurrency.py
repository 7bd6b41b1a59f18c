"""A real gunicorn on PostgreSQL: 50 clients send 2,000 shuffled deliveries for 1,000 pledges."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Pledge, PledgeCredit
from sharetrack.pledges.service import Event, replay
from sharetrack.pledges.signatures import HEADER, sign
from tests.pledges.conftest import SECRET, iso, now

ROOT = Path(__file__).resolve().parents[2]
PLEDGES, DELIVERIES, CLIENTS = 1000, 2000, 50

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app, app_config, tmp_path):
    """gunicorn serving the test's PostgreSQL schema; yields its base URL."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    log_file = log.open("wb")
    env = os.environ | {
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "SHARETRACK_SQLALCHEMY_ENGINE_OPTIONS": json.dumps(app_config["SQLALCHEMY_ENGINE_OPTIONS"]),
        "SHARETRACK_SECRET_KEY": app_config["SECRET_KEY"],
        "SHARETRACK_WEBHOOK_SECRET": SECRET,
        # All 50 clients come from 127.0.0.1: one platform, so lift its per-client limit.
        "SHARETRACK_RATELIMIT_WEBHOOK": "100000/minute",
        "SHARETRACK_BASE_URL": "https://st.example",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers=3",
            "--worker-class=gthread",
            "--threads=8",
            f"--bind=127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/c/not-here", timeout=1)  # noqa: S310 - our server
            except urllib.error.HTTPError:
                break  # a 404 page: the server answers
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"gunicorn exited: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start in 30 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log_file.close()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def plan(campaign, tokens: list[str], rng: random.Random):
    """Unique events per pledge, and the shuffled deliveries with a third duplicated."""
    start = now() - dt.timedelta(days=2)
    events: dict[str, list[dict]] = {}
    for i in range(PLEDGES):
        t0 = start + dt.timedelta(seconds=rng.randrange(86_400))
        body = {
            "external_id": f"con-{i}",
            "campaign": campaign.slug,
            "amount_minor": rng.randrange(100, 50_000),
            "currency": "GBP",
            "status": "pledged",
            "occurred_at": iso(t0),
            "ref": [{"token": rng.choice(tokens), "at": iso(t0 - dt.timedelta(hours=2))}],
        }
        events[body["external_id"]] = [body]
    updates = DELIVERIES * 2 // 3 - PLEDGES  # so that a third of all deliveries are repeats
    for external_id in rng.sample(sorted(events), updates):
        first = events[external_id][0]
        t0 = dt.datetime.fromisoformat(first["occurred_at"])
        status = rng.choice(["paid", "paid", "refunded", "cancelled"])
        events[external_id].append(
            first | {"status": status, "occurred_at": (t0 + dt.timedelta(hours=1)).isoformat()}
        )
    unique = [body for bodies in events.values() for body in bodies]
    deliveries = unique + [rng.choice(unique) for _ in range(DELIVERIES - len(unique))]
    rng.shuffle(deliveries)
    return events, deliveries


def post(base: str, body: dict) -> int:
    raw = json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - our own server
        base + "/api/v1/pledges",
        data=raw,
        headers={"Content-Type": "application/json", HEADER: sign(SECRET, int(time.time()), raw)},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_racing_deliveries_add_up_exactly(app, server, make_campaign, make_share, api_key):
    campaign = make_campaign()
    shares = [make_share(campaign, channel="facebook") for _ in range(20)]
    rng = random.Random(2024)
    events, deliveries = plan(campaign, [token for _, token in shares], rng)
    assert len(deliveries) == DELIVERIES

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = Counter(pool.map(lambda body: post(server, body), deliveries))
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses == {201: PLEDGES, 200: DELIVERIES - PLEDGES}, statuses

    expected = {
        external_id: replay(
            Event(dt.datetime.fromisoformat(b["occurred_at"]).replace(tzinfo=None), b["status"],
                  b["amount_minor"])
            for b in bodies
        )
        for external_id, bodies in events.items()
    }  # fmt: skip
    live = [s for s in expected.values() if s.status in ("pledged", "paid")]
    with app.app_context():
        stored = {
            p.external_id: (p.status, p.amount_minor) for p in db.session.scalars(sa.select(Pledge))
        }
        assert stored == {k: (s.status, s.amount_minor) for k, s in expected.items()}
        credited = db.session.scalar(
            sa.select(sa.func.sum(PledgeCredit.amount_minor)).where(PledgeCredit.model == "linear")
        )
        assert credited == sum(s.amount_minor for s in live)

    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{server}/api/v1/campaigns/{campaign.slug}/report",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        totals = json.load(response)["totals"]
    assert totals["pledges"] == totals["attributed_pledges"] == len(live)
    assert totals["raised_minor"] == totals["attributed_minor"] == sum(s.amount_minor for s in live)
