"""PostgreSQL restarted during load: gunicorn (4 workers) keeps serving clicks, webhook
deliveries and staff API reads while this machine's cluster restarts.

Checks: while the database is away every request is answered at once (no hang): 503 problem
details with Retry-After from the API, a 503 page for a visitor, never a 500; afterwards the
same gunicorn (not restarted) answers everything again; pledges are stored exactly once with
their credits (the platform retries refused deliveries). The cluster is started again at the
end whatever happens.

    .venv/bin/python -m loadtest.postgres_restart     # LOADTEST_RESTART_CLICKS, _CLIENTS

Restarting PostgreSQL disturbs every other user of this machine's cluster: run it sparingly.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from loadtest import common
from tests import live

# Nothing may take longer than this to answer while the database is down (connect timeout 3 s).
FAST = 5.0


def scenario() -> None:
    """The restart under load."""
    clicks = common.knob("RESTART_CLICKS", 6_000)
    clients = common.knob("CLIENTS", 50)
    common.require_redis()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp, common.postgres_database() as url:
        env = common.environment(
            Path(tmp), url, SHARETRACK_RATELIMIT_STORAGE_URI=common.REDIS.rsplit("/", 1)[0] + "/1"
        )
        seeded = common.seed(env)
        events, sent = common.plan_pledges(seeded, clicks // 10, rng)
        staff = {"Authorization": f"Bearer {seeded.api_key}"}
        jobs = (
            common.click_jobs(seeded.tokens, clicks, rng)
            + common.webhook_jobs(sent)
            + [common.Job("api", "/api/v1/campaigns", headers=staff) for _ in range(clicks // 10)]
        )
        rng.shuffle(jobs)
        log = Path(tmp) / "gunicorn.log"
        with live.gunicorn(env, workers=4, log=log) as base:
            common.say(
                f"gunicorn 4 workers on PostgreSQL: {len(jobs)} requests from {clients} clients "
                f"({clicks} clicks, {len(sent)} deliveries, {clicks // 10} staff reads); "
                "PostgreSQL restarted 3 s in"
            )
            results: list[common.Result] = []
            # Deliveries refused with 503 are retried every second for up to a minute.
            load = threading.Thread(
                target=lambda: results.extend(common.run(base, jobs, clients, retries=60))
            )
            started = time.monotonic()
            load.start()
            try:
                time.sleep(3)
                down_at = time.monotonic()
                took = common.restart_postgres()
                common.say(f"pg_ctlcluster restart took {took:.1f} s")
            finally:
                common.ensure_postgres_started()
            load.join()
            up_at = time.monotonic()
            elapsed = up_at - started
            after = common.run(
                base,
                common.click_jobs(seeded.tokens, 100, rng)
                + [common.Job("api", "/api/v1/campaigns", headers=staff) for _ in range(20)],
                10,
            )
            totals = common.report_totals(base, seeded)

        by_kind = {kind: common.statuses(results, kind) for kind in ("click", "webhook", "api")}
        common.say(f"{len(results)} requests in {elapsed:.1f} s: {by_kind}")
        unavailable = [r for r in results if r.status == 503]
        slowest = max((r.seconds for r in results), default=0)
        common.say(
            f"503 answers: {len(unavailable)} (after retries), slowest of all answers "
            f"{slowest:.2f} s, slowest 503 {max((r.seconds for r in unavailable), default=0):.2f} s"
        )
        outage = [r for r in results if down_at - 1 <= r.sent <= up_at]
        if outage:
            common.say(common.latency_line(outage, "click").replace("click", "clicks in outage"))
        if unavailable:
            back = down_at + took
            last = max(r.sent + r.seconds for r in unavailable) - back
            common.say(
                f"503s from {min(r.sent for r in unavailable) - down_at:.1f} s after the restart "
                f"began until {last:+.1f} s from the cluster being back up"
            )
        common.say(f"after the restart, same gunicorn: {dict(common.statuses(after))}")

        for line, n in common.exceptions(log).most_common(8):
            common.say(f"server log: {n} x {line}")
        bad = Counter(r.status for r in results if r.status not in (200, 201, 302, 503))
        assert not bad, f"answers other than success or 503: {dict(bad)}"
        stored = common.count_clicks(url) - 100
        common.say(f"clicks: {by_kind['click'][302]} redirected, {stored} stored")
        # A click whose write met the restart is still redirected (never strand a visitor).
        assert stored <= by_kind["click"][302], "more clicks stored than redirected"
        assert unavailable or stored < by_kind["click"][302], "the restart went unnoticed"
        for r in unavailable:
            want = "text/html" if r.kind == "click" else "application/problem+json"
            assert r.media_type == want, (r.kind, r.media_type)
            assert r.retry_after and r.retry_after.isdigit(), "503 without Retry-After"
        assert slowest < FAST, f"an answer took {slowest:.1f} s: something hung"
        assert common.statuses(after) == {302: 100, 200: 20}, common.statuses(after)
        assert by_kind["webhook"][503] == 0, "a delivery was still refused after a minute"
        figures = common.reconcile(url, events)
        common.say(
            f"pledges: {figures['pledges']} stored once each, {figures['live']} live; every "
            "live pledge with a ref credited exactly its amount under each model"
        )
        assert totals["raised_minor"] == figures["raised_minor"], (totals, figures)


if __name__ == "__main__":
    try:
        common.main(scenario)
    finally:
        common.ensure_postgres_started()
