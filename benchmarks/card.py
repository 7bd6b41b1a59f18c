"""The social card under gunicorn with 2 workers (SQLite, the default file cache), loopback only.

Prints: card requests/s cold (every request a new picture, so a drawing) and cached (the same
pictures again, from the shared cache), and /healthz latency idle and under a flood of cached
card requests. Bounded: a fixed number of campaigns, a few seconds per phase, then it stops.
Run: .venv/bin/python benchmarks/card.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import live  # noqa: E402  (the test suite's server helpers)

CAMPAIGNS = 60
THREADS = 4
SECONDS = 5.0
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str) -> int:
    with OPENER.open(url, timeout=30) as response:  # noqa: S310 (our own loopback server)
        response.read()
        return response.status


def rate(urls: list[str], seconds: float | None) -> tuple[float, int]:
    """Requests/s over THREADS threads: each URL once (seconds None), or round and round."""
    done, lock, todo = [0], threading.Lock(), list(urls)
    stop = time.monotonic() + (seconds or 3600)

    def work(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            if seconds is None:
                with lock:
                    if not todo:
                        return
                    url = todo.pop()
            else:
                url = urls[i % len(urls)]
                i += 1
            assert get(url) == 200
            with lock:
                done[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.perf_counter() - start), done[0]


def health(base: str, count: int = 200) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        get(base + "/healthz")
        times.append((time.perf_counter() - start) * 1000)
        time.sleep(0.01)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"median {statistics.median(times):6.1f} ms, p99 {p99:6.1f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = live.environment(
            tmp,
            SHARETRACK_CACHE_DIR=str(tmp / "cache"),
            SHARETRACK_RATELIMIT_CARD="1000000/minute",  # lifted: this measures the work
            SHARETRACK_RATELIMIT_SHARES="1000000/minute",
        )
        key = live.prepare(env)
        auth = {"Authorization": f"Bearer {key}"}
        with live.gunicorn(env, workers=2) as base:
            for n in range(CAMPAIGNS):
                body = {
                    "slug": f"case-{n}",
                    "title": f"Stop the Snoopers, case {n}",
                    "landing_url": "https://case.example/pledge",
                    "pledge_page": True,
                }
                assert live.call("POST", base + "/api/v1/campaigns", body, auth)[0] == 201
            urls = [f"{base}/c/case-{n}/card.png" for n in range(CAMPAIGNS)]
            print(f"load average before: {os.getloadavg()[0]:.2f}")
            idle = health(base)
            cold, drawn = rate(urls, None)
            cached, served = rate(urls, SECONDS)
            flood = threading.Thread(target=rate, args=(urls, SECONDS))
            flood.start()
            time.sleep(0.5)
            flooded = health(base, 150)
            flood.join()
            print(f"card, cold (each a new drawing): {cold:7.1f} requests/s ({drawn} cards)")
            print(f"card, cached (shared cache):     {cached:7.1f} requests/s ({served} requests)")
            print(f"/healthz idle:                   {summary(idle)}")
            print(f"/healthz under {THREADS} card loops:    {summary(flooded)}")
            print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
