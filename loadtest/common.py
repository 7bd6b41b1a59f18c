"""What the load and fault scripts share: a scratch database, a seeded campaign, gunicorn, an
asyncio client (aiohttp) with bounded concurrency, the planned deliveries and the checks.

Only 127.0.0.1 is ever contacted: our own gunicorn, PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import sqlalchemy as sa

from sharetrack import create_app
from sharetrack.extensions import db
from sharetrack.links.service import create_promoter
from sharetrack.models import (
    ATTRIBUTION_MODELS,
    LIVE_STATUSES,
    Campaign,
    Click,
    Pledge,
    PledgeCredit,
    Share,
)
from sharetrack.pledges.service import Event, replay
from sharetrack.pledges.signatures import HEADER, sign
from sharetrack.services import services
from tests import live

PG_URL = os.environ.get("LOADTEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WEBHOOK_SECRET = "loadtest-webhook-secret-0123456789"  # noqa: S105 - a scratch server's
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHANNELS = ("facebook", "x", "whatsapp", "email", "link")


def knob(name: str, default: int) -> int:
    """An integer from LOADTEST_<NAME>, else the default (the issue's figure)."""
    return int(os.environ.get(f"LOADTEST_{name}", default))


def say(message: str) -> None:
    """One line of the script's report, at once (CI logs are read live)."""
    print(message, flush=True)


# --- databases and servers ----------------------------------------------------------------


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh schema of its own in PostgreSQL's test database, dropped afterwards; yields the
    URL that puts every connection in it (a schema, not a database: dropping a database waits
    for a checkpoint, which takes long on a busy machine)."""
    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        for _ in range(30):  # PostgreSQL may still be starting after the fault test
            try:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                break
            except sa.exc.OperationalError:
                time.sleep(1)
        admin.dispose()


def environment(tmp: Path, database_url: str, **settings: str) -> dict[str, str]:
    """A server's environment: limits lifted for the single load client, Redis shared counts."""
    return live.environment(
        tmp,
        database_url,
        SHARETRACK_WEBHOOK_SECRET=WEBHOOK_SECRET,
        SHARETRACK_BASE_URL="https://st.example",
        # Every request of the load comes from 127.0.0.1: one client, so lift its limits.
        SHARETRACK_RATELIMIT_REDIRECT="10000000/minute",
        SHARETRACK_RATELIMIT_WEBHOOK="10000000/minute",
        **settings,
    )


@dataclass
class Seeded:
    """The campaign under load: its slug, share tokens and a staff API key."""

    slug: str
    tokens: list[str]
    api_key: str


def seed(env: dict[str, str], shares: int = 200) -> Seeded:
    """Migrate, then store a campaign with `shares` shares of distinct promoters."""
    api_key = live.prepare(env)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "SECRET_KEY": env["SHARETRACK_SECRET_KEY"],
            "BASE_URL": env["SHARETRACK_BASE_URL"],  # production settings refuse to start without
        }
    )
    with app.app_context():
        campaign = Campaign(slug="load", title="Load", landing_url="https://case.example/")
        db.session.add(campaign)
        db.session.flush()
        rows = []
        for i in range(shares):
            promoter = create_promoter(db.session)
            share = Share(campaign_id=campaign.id, promoter_id=promoter.id, channel=CHANNELS[i % 5])
            db.session.add(share)
            rows.append(share)
        db.session.commit()
        tokens = [services(app).tokens.share_token(s.id) for s in rows]
        db.engine.dispose()
    return Seeded("load", tokens, api_key)


def gunicorn_workers(base_url: str) -> list[int]:
    """The worker pids of the gunicorn listening at base_url (children of its master)."""
    bind = base_url.removeprefix("http://")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"gunicorn" in part for part in cmdline) and bind.encode() in cmdline:
            children = Path(f"/proc/{entry.name}/task/{entry.name}/children").read_text()
            return [int(pid) for pid in children.split()]
    raise RuntimeError(f"no gunicorn master for {base_url}")


def kill_one_worker(base_url: str) -> int:
    """SIGKILL one worker, a busy one if any (the master starts a new one); returns its pid."""
    workers = gunicorn_workers(base_url)
    busy = [pid for pid in workers if _state(pid) == "R"]
    pid = (busy or workers)[0]
    os.kill(pid, signal.SIGKILL)
    return pid


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def cluster() -> str:
    """This machine's PostgreSQL version directory (its only cluster is `main`)."""
    return sorted(os.listdir("/etc/postgresql"))[-1]


def postgres_ready() -> bool:
    """Whether PostgreSQL at 127.0.0.1:5432 accepts connections."""
    done = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)
    return done.returncode == 0


def restart_postgres() -> float:
    """Restart this machine's cluster; returns the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster(), "main", "restart"],
        check=True,
        timeout=120,
    )
    return time.monotonic() - started


def ensure_postgres_started() -> None:
    """Start the cluster if it is down, whatever happened before; wait until it answers."""
    if postgres_ready():
        return
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster(), "main", "start"],
        check=False,
        timeout=120,
    )
    for _ in range(60):
        if postgres_ready():
            return
        time.sleep(1)
    raise RuntimeError("PostgreSQL did not come back")


def exceptions(log: Path) -> Counter:
    """The final line (exception and message) of every traceback in a server log, counted."""
    text = log.read_text(errors="replace") if log.exists() else ""
    out: Counter = Counter()
    for block in text.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in block.splitlines() if line and not line.startswith(" ")]
        if lines:
            out[lines[0][:200]] += 1
    return out


def log_problems(log: Path) -> list[str]:
    """Tracebacks and 'database is locked' lines in a server log."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return [line for line in text.splitlines() if "Traceback" in line or "locked" in line]


# --- requests -----------------------------------------------------------------------------


@dataclass
class Job:
    """One request to make: a click or a signed webhook delivery."""

    kind: str  # "click", "webhook" or "api" (a staff GET with a Bearer key)
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """What came back: status (0: no answer), seconds taken, media type, when it was sent."""

    kind: str
    status: int
    seconds: float
    media_type: str = ""
    sent: float = 0.0
    retry_after: str | None = None


def click_jobs(tokens: list[str], count: int, rng: random.Random) -> list[Job]:
    """`count` visits spread over the shares."""
    return [Job("click", f"/s/{rng.choice(tokens)}") for _ in range(count)]


def plan_pledges(
    seeded: Seeded, deliveries: int, rng: random.Random
) -> tuple[dict[str, list[dict]], list[dict]]:
    """Events per pledge and the shuffled deliveries, a third of them repeats.

    Two thirds of the deliveries are distinct events (a pledge, and for some a later paid,
    refunded or cancelled update); the last third repeats some of them.
    """
    distinct = deliveries * 2 // 3
    pledges = distinct * 3 // 4
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) - dt.timedelta(days=2)
    events: dict[str, list[dict]] = {}
    for i in range(pledges):
        t0 = start + dt.timedelta(seconds=rng.randrange(86_400))
        touches = rng.sample(seeded.tokens, rng.randrange(0, 4))  # some pledges have no ref
        body = {
            "external_id": f"load-{i}",
            "campaign": seeded.slug,
            "amount_minor": rng.randrange(100, 50_000),
            "currency": "GBP",
            "status": "pledged",
            "occurred_at": _iso(t0),
            "ref": [
                {"token": t, "at": _iso(t0 - dt.timedelta(hours=k + 1))}
                for k, t in enumerate(touches)
            ],
        }
        events[body["external_id"]] = [body]
    for external_id in rng.sample(sorted(events), distinct - pledges):
        first = events[external_id][0]
        later = dt.datetime.fromisoformat(first["occurred_at"].removesuffix("Z"))
        status = rng.choice(["paid", "paid", "refunded", "cancelled"])
        events[external_id].append(
            first | {"status": status, "occurred_at": _iso(later + dt.timedelta(hours=1))}
        )
    unique = [body for bodies in events.values() for body in bodies]
    sent = unique + [rng.choice(unique) for _ in range(deliveries - len(unique))]
    rng.shuffle(sent)
    return events, sent


def webhook_jobs(deliveries: list[dict]) -> list[Job]:
    """Signed POST /api/v1/pledges jobs (signed when sent: the signature holds a time)."""
    return [Job("webhook", "/api/v1/pledges", json.dumps(body).encode()) for body in deliveries]


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat() + "Z"


async def _send(session: aiohttp.ClientSession, base: str, job: Job, retries: int) -> Result:
    headers = dict(job.headers)
    method = "GET"
    if job.kind == "webhook":
        method = "POST"
        headers["Content-Type"] = "application/json"
    elif job.kind == "click":
        headers["User-Agent"] = PHONE
    for attempt in range(retries + 1):
        if job.kind == "webhook":
            headers[HEADER] = sign(WEBHOOK_SECRET, int(time.time()), job.body)
        sent = time.monotonic()
        try:
            async with session.request(
                method, base + job.path, data=job.body, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                if response.status == 503 and job.kind == "webhook" and attempt < retries:
                    # A platform retries a refused delivery later; so does this client.
                    await asyncio.sleep(1)
                    continue
                return Result(
                    job.kind,
                    response.status,
                    time.monotonic() - sent,
                    response.content_type,
                    sent,
                    response.headers.get("Retry-After"),
                )
        except (TimeoutError, aiohttp.ClientError):
            if attempt == retries:
                return Result(job.kind, 0, time.monotonic() - sent, "", sent)
            await asyncio.sleep(0.2)  # a platform retries a delivery that got no answer
            continue
    raise AssertionError("unreachable")  # the last attempt always returns


async def _run(base: str, jobs: list[Job], clients: int, retries: int, timeout: float):
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    results: list[Result] = []
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(
        connector=connector, timeout=client_timeout, trust_env=False
    ) as session:

        async def worker() -> None:
            while not queue.empty():
                job = queue.get_nowait()
                # Webhooks are retried on no answer (as platforms do); clicks are not.
                tries = retries if job.kind == "webhook" else 0
                results.append(await _send(session, base, job, tries))

        await asyncio.gather(*(worker() for _ in range(clients)))
    return results


def run(
    base: str, jobs: list[Job], clients: int = 50, retries: int = 5, timeout: float = 30
) -> list[Result]:
    """Send every job through `clients` concurrent connections; results in completion order."""
    return asyncio.run(_run(base, jobs, clients, retries, timeout))


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_line(results: list[Result], kind: str) -> str:
    """p50/p99/max in milliseconds of one kind of request."""
    ms = [r.seconds * 1000 for r in results if r.kind == kind and r.status]
    return (
        f"{kind}: {len(ms)} answered, p50 {percentile(ms, 50):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms, max {max(ms, default=0):.1f} ms"
    )


def statuses(results: list[Result], kind: str | None = None) -> Counter:
    """Statuses per kind (0: no answer)."""
    return Counter(r.status for r in results if kind is None or r.kind == kind)


# --- checks -------------------------------------------------------------------------------


def count_clicks(database_url: str) -> int:
    """Raw clicks stored."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        n = conn.scalar(sa.select(sa.func.count()).select_from(Click))
    engine.dispose()
    return int(n)


def reconcile(database_url: str, events: dict[str, list[dict]]) -> dict:
    """Check stored pledges against what the deliveries say; returns the figures.

    Every pledge is stored once with the status and amount of its newest event; every live
    pledge with a ref has, for every model, credits summing exactly to its amount; a pledge
    that is not live, or has no ref, has no credit at all. Raises AssertionError otherwise.
    """
    expected = {
        external_id: replay(
            Event(
                dt.datetime.fromisoformat(b["occurred_at"].removesuffix("Z")),
                b["status"],
                b["amount_minor"],
            )
            for b in bodies
        )
        for external_id, bodies in events.items()
    }
    has_ref = {k: bool(bodies[0]["ref"]) for k, bodies in events.items()}
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        stored = {
            row.external_id: (row.id, row.status, row.amount_minor)
            for row in conn.execute(sa.select(Pledge.id, Pledge.external_id, Pledge.status,
                                              Pledge.amount_minor))
        }  # fmt: skip
        credits: dict[tuple[int, str], int] = {}
        for pledge_id, model, amount in conn.execute(
            sa.select(PledgeCredit.pledge_id, PledgeCredit.model, PledgeCredit.amount_minor)
        ):
            credits[(pledge_id, model)] = credits.get((pledge_id, model), 0) + amount
    engine.dispose()
    assert set(stored) == set(expected), "stored pledges differ from those delivered"
    half_stored = []
    for external_id, state in expected.items():
        pledge_id, status, amount = stored[external_id]
        assert (status, amount) == (state.status, state.amount_minor), external_id
        for model in ATTRIBUTION_MODELS:
            got = credits.get((pledge_id, model), 0)
            want = amount if status in LIVE_STATUSES and has_ref[external_id] else 0
            if got != want:
                half_stored.append((external_id, model, got, want))
    assert not half_stored, f"pledges with wrong credits: {half_stored[:5]}"
    live_ = [s for s in expected.values() if s.status in LIVE_STATUSES]
    return {
        "pledges": len(stored),
        "live": len(live_),
        "raised_minor": sum(s.amount_minor for s in live_),
        "credited_minor_per_model": sum(
            s.amount_minor for k, s in expected.items() if s.status in LIVE_STATUSES and has_ref[k]
        ),
    }


def report_totals(base: str, seeded: Seeded) -> dict:
    """The report API's totals (through the server, as staff read them)."""
    status, _, body = live.call(
        "GET",
        f"{base}/api/v1/campaigns/{seeded.slug}/report",
        headers={"Authorization": f"Bearer {seeded.api_key}"},
    )
    assert status == 200, (status, body)
    return body["totals"]


def require_redis() -> None:
    """Fail early and clearly when the shared limiter's Redis is down."""
    import redis

    redis.Redis.from_url(REDIS, socket_timeout=2).ping()


def main(body) -> None:
    """Run a script's body, printing FAILED and exiting 1 on a failed check."""
    started = time.monotonic()
    try:
        body()
    except AssertionError as exc:
        say(f"FAILED: {exc}")
        sys.exit(1)
    say(f"done in {time.monotonic() - started:.0f} s")
