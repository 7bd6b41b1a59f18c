"""SQLite under the click load: 20,000 clicks from 50 concurrent clients against gunicorn with
2 workers. Checks: every visitor is redirected (302, never "database is locked" or any other
error), every click is stored. Prints the redirect's latency.

    .venv/bin/python -m loadtest.sqlite_load          # LOADTEST_SQLITE_CLICKS, _CLIENTS
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from loadtest import common
from tests import live


def scenario() -> None:
    """The click load on the SQLite default."""
    clicks = common.knob("SQLITE_CLICKS", 20_000)
    clients = common.knob("CLIENTS", 50)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        url = f"sqlite:///{Path(tmp) / 'load.db'}"
        env = common.environment(Path(tmp), url)  # memory limiter: the SQLite single-host setup
        seeded = common.seed(env)
        jobs = common.click_jobs(seeded.tokens, clicks, rng)
        with live.gunicorn(env, workers=2, log=log) as base:
            common.say(f"gunicorn 2 workers, SQLite (WAL): {clicks} clicks from {clients} clients")
            started = time.monotonic()
            results = common.run(base, jobs, clients)
            elapsed = time.monotonic() - started
            status = common.statuses(results)
            common.say(
                f"{len(results)} requests in {elapsed:.1f} s: {len(results) / elapsed:.0f}/s"
            )
            common.say(f"statuses: {dict(status)}")
            common.say(common.latency_line(results, "click"))
        stored = common.count_clicks(url)
        common.say(f"clicks stored {stored} of {clicks} sent")
        problems = common.log_problems(log)
        common.say(f"server log: {len(problems)} traceback or 'database is locked' line(s)")
        assert status == {302: clicks}, f"not every visitor was redirected: {dict(status)}"
        assert stored == clicks, "a click was not stored"
        assert not problems, problems[:5]


if __name__ == "__main__":
    common.main(scenario)
