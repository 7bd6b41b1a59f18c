"""Prometheus metrics: counters and histograms summed over every gunicorn worker.

prometheus-client's multiprocess mode is on when PROMETHEUS_MULTIPROC_DIR is set before this
module is first imported (deploy/gunicorn.conf.py sets and empties it, and marks dead workers);
each worker then writes its values to files there and GET /metrics sums them. Without it (one
process: `flask run`, tests) the values live in this process. Labels are few and fixed, never
a token, a slug or anything a visitor sends.
"""

from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

CLICK_KINDS = ("counted", "bot", "uncounted")
CLICKS = Counter(
    "sharetrack_clicks",
    "Share-link clicks: counted (a person's click stored), bot (a machine's, stored flagged) "
    "or uncounted (past the client's rate limit, redirected but not stored).",
    ["kind"],
)
PLEDGE_DELIVERIES = Counter(
    "sharetrack_pledge_deliveries",
    "Pledge deliveries by source (webhook, page) and result (new, repeat, bad_signature, "
    "invalid, limited, error).",
    ["source", "result"],
)
REQUEST_SECONDS = Histogram(
    "sharetrack_request_duration_seconds",
    "Time to answer a request through Flask, by endpoint (the redirect is counted in "
    "sharetrack_clicks_total: it is answered in front of Flask).",
    ["endpoint", "method"],
)
SHARE_VALUE_SECONDS = Histogram(
    "sharetrack_share_value_seconds",
    "Time to compute a campaign's share-value figures (cached answers are not counted).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Resolved once: the redirect's counter call is one dictionary look-up and one increment.
_CLICK_COUNTERS = {kind: CLICKS.labels(kind) for kind in CLICK_KINDS}

# Which endpoints take pledge deliveries, and from where.
PLEDGE_ENDPOINTS = {
    "api.receive_pledge": "webhook",
    "api.receive_stripe": "stripe",
    "campaign_page.pledge": "page",
}


def click(kind: str) -> None:
    """Count one click by its outcome: counted, bot or uncounted."""
    _CLICK_COUNTERS[kind].inc()


def click_kind(counted: bool, machine: bool) -> str:
    """The outcome of a click: past the limit it is uncounted, else a bot's or a person's."""
    if not counted:
        return "uncounted"
    return "bot" if machine else "counted"


_RESULTS = {200: "repeat", 201: "new", 303: "new", 401: "bad_signature", 429: "limited"}


def pledge_result(status: int) -> str:
    """A delivery's result from the status its endpoint answered (the page's 303 is new)."""
    return _RESULTS.get(status, "invalid" if status < 500 else "error")


def delivery_result(result: str) -> None:
    """Say what this request's delivery came to, where its status cannot tell (Stripe answers
    200 to everything it should not resend; the form's 303 may be off to Checkout)."""
    g.sharetrack_delivery_result = result


def init_app(app: Flask) -> None:
    """Time every request Flask answers, and count pledge deliveries by their answer."""
    app.before_request(_start)
    app.after_request(_observe)


def _start() -> None:
    g.sharetrack_started = time.perf_counter()


def _observe(response):
    started = g.pop("sharetrack_started", None)
    endpoint = request.endpoint or "unmatched"
    if started is not None and endpoint != "ops.metrics_text":
        REQUEST_SECONDS.labels(endpoint, request.method).observe(time.perf_counter() - started)
    source = PLEDGE_ENDPOINTS.get(endpoint)
    said = g.pop("sharetrack_delivery_result", None)
    if source is not None and request.method == "POST":
        PLEDGE_DELIVERIES.labels(source, said or pledge_result(response.status_code)).inc()
    return response


def exposition() -> tuple[bytes, str]:
    """The metrics as Prometheus text: summed over all workers in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """Drop a dead worker's live gauges (gunicorn's child_exit); its counters stay summed."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)


QUEUE_GAUGES = (
    ("sharetrack_queue_pending", "Jobs ready to run, waiting for the worker.", "pending"),
    (
        "sharetrack_queue_scheduled",
        "Jobs waiting for a later time: retries after a failure, delayed jobs.",
        "scheduled",
    ),
    (
        "sharetrack_queue_oldest_seconds",
        "How long the oldest job ready to run has waited (0 when none waits).",
        "oldest_seconds",
    ),
    (
        "sharetrack_queue_failures",
        "Jobs that failed on their last try (GET /api/v1/tasks/failures lists them).",
        "failures",
    ),
)


def queue_exposition(depth) -> bytes:
    """The task queue's gauges (sharetrack/queue.py Depth, or None when its storage did not
    answer) as Prometheus text: read when scraped, so the same in every worker."""
    lines = [
        "# HELP sharetrack_queue_up Whether the task queue's storage answered.",
        "# TYPE sharetrack_queue_up gauge",
        f"sharetrack_queue_up {0 if depth is None else 1}",
    ]
    for name, help_text, field in QUEUE_GAUGES if depth is not None else ():
        lines += [
            f"# HELP {name} {help_text}",
            f"# TYPE {name} gauge",
            f"{name} {getattr(depth, field)}",
        ]
    return ("\n".join(lines) + "\n").encode()
