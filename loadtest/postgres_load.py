"""20,000 clicks from 50 concurrent clients plus 2,000 webhook deliveries (a third repeats,
shuffled in among the clicks) against gunicorn with 4 workers on PostgreSQL, rate limits
counted in Redis. Checks: every click stored, pledges exact, no 5xx. Prints the redirect's p99.

    .venv/bin/python -m loadtest.postgres_load        # LOADTEST_CLICKS, _DELIVERIES, _CLIENTS
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from pathlib import Path

from loadtest import common
from tests import live


def scenario(kill_worker: bool = False) -> None:
    """The load; with kill_worker, SIGKILL a gunicorn worker halfway through."""
    clicks = common.knob("CLICKS", 20_000)
    deliveries = common.knob("DELIVERIES", 2_000)
    clients = common.knob("CLIENTS", 50)
    common.require_redis()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, common.postgres_database() as url:
        log = Path(tmp) / "gunicorn.log"
        env = common.environment(
            Path(tmp), url, SHARETRACK_RATELIMIT_STORAGE_URI=common.REDIS.rsplit("/", 1)[0] + "/1"
        )
        seeded = common.seed(env)
        events, sent = common.plan_pledges(seeded, deliveries, rng)
        jobs = common.click_jobs(seeded.tokens, clicks, rng) + common.webhook_jobs(sent)
        rng.shuffle(jobs)
        with live.gunicorn(env, workers=4, log=log) as base:
            common.say(
                f"gunicorn 4 workers, PostgreSQL, Redis limiter: {clicks} clicks + "
                f"{deliveries} deliveries ({len(events)} pledges) from {clients} clients"
            )
            started = time.monotonic()
            if kill_worker:
                half = len(jobs) // 2
                first = common.run(base, jobs[:half], clients)
                # Kill while the second half is in flight: start it, then kill.
                victim: list[int] = []
                timer = threading.Timer(1.0, lambda: victim.append(common.kill_one_worker(base)))
                timer.start()
                second = common.run(base, jobs[half:], clients)
                timer.join()
                results = first + second
                common.say(f"killed worker {victim[0]} with SIGKILL mid-load")
            else:
                results = common.run(base, jobs, clients)
            elapsed = time.monotonic() - started
            click_status = common.statuses(results, "click")
            hook_status = common.statuses(results, "webhook")
            common.say(
                f"{len(results)} requests in {elapsed:.1f} s: {len(results) / elapsed:.0f}/s"
            )
            common.say(f"clicks: {dict(click_status)}; webhooks: {dict(hook_status)}")
            common.say(common.latency_line(results, "click"))
            common.say(common.latency_line(results, "webhook"))
            assert not [s for s in click_status | hook_status if s >= 500], "a 5xx was answered"
            # The service keeps answering after everything, killed worker or not.
            after = common.run(base, common.click_jobs(seeded.tokens, 200, rng), 10)
            assert common.statuses(after) == {302: 200}, common.statuses(after)
            totals = common.report_totals(base, seeded)

        stored = common.count_clicks(url)
        answered = click_status[302]
        if kill_worker:
            # A click whose worker died may or may not have committed. The killed sync worker
            # held at most one click; if its INSERT had committed, the client retried the GET
            # on the reset connection (aiohttp does, as browsers do), so that one click may be
            # stored twice. Every other click is stored exactly once.
            lost = click_status[0]
            common.say(f"clicks stored {stored}: {answered} answered 302, {lost} got no answer")
            assert answered <= stored - 200 <= answered + lost + 1, "clicks stored do not add up"
            assert hook_status[0] == 0, "a delivery got no answer after its retries"
        else:
            common.say(f"clicks stored {stored - 200} of {clicks} sent")
            assert click_status == {302: clicks}, click_status
            assert stored - 200 == clicks
        figures = common.reconcile(url, events)
        common.say(
            f"pledges: {figures['pledges']} stored once each, {figures['live']} live, "
            f"raised {figures['raised_minor']}; every live pledge with a ref credited exactly "
            f"its amount under each model, the others not at all"
        )
        assert totals["raised_minor"] == figures["raised_minor"], (totals, figures)
        assert totals["pledges"] == figures["live"], (totals, figures)
        assert totals["clicks"] == stored, (totals, stored)
        common.say(f"report API totals reconcile: {totals['clicks']} clicks, {totals['pledges']}")
        problems = common.log_problems(log)
        if not kill_worker:
            assert not problems, problems[:5]


if __name__ == "__main__":
    common.main(scenario)
