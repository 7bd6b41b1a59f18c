"""The task queue (huey, ADR 2401): work that leaves the service runs off the request path.

Storage is QUEUE_URL's: unset, an SQLite file under instance/ (no extra server); `redis://…` or
`postgresql://…` in production. `flask worker` runs the jobs (`make run` starts one, and
deploy/sharetrack-worker.service in production).

Defining a task, in the domain package that owns the work (it calls that package's services):

    from ..queue import crontab, periodic, task

    @task(retries=8, retry_delay=30)   # tried again after 30 s, 60 s, 120 s, … (×RETRY_BACKOFF)
    def deliver(delivery_id: int) -> None:
        ...                            # runs in an app context, in the worker

    deliver.enqueue(delivery_id)       # from a request or another task: returns at once
    deliver(delivery_id)               # runs it here and now (CLI, tests of the work itself)

    @periodic(crontab(minute="*/5"))   # the worker runs it on this schedule (UTC)
    def sweep() -> None: ...

The module must be imported by create_app (sharetrack/__init__.py, _register_tasks) so the worker
knows it. Arguments are plain values (ids, strings), pickled into the queue's storage until the
job runs: pass ids, not rows, and no secrets beyond what the job needs. A job whose last try
fails leaves a TaskFailure row (task name, exception class; never its arguments), listed to staff
at GET /api/v1/tasks/failures and counted in /metrics.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer

from .extensions import db
from .models import TaskFailure

__all__ = ["Task", "TaskError", "consumer", "crontab", "depth", "periodic", "task"]

log = logging.getLogger(__name__)
RETRY_BACKOFF = 2.0
# How many pending jobs /metrics reads to find the oldest (each is unpickled).
OLDEST_SCAN_LIMIT = 10_000


class TaskError(RuntimeError):
    """A job failed; the message is the original exception's class only (SMTP errors, say,
    carry the recipient in theirs, and the worker logs this one)."""


@dataclass(frozen=True)
class Task:
    """A function the queue runs: call it to run it here, .enqueue() to run it in the worker."""

    name: str
    fn: Callable[..., Any]
    retries: int
    retry_delay: int
    schedule: Callable | None = None

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def enqueue(self, *args, **kwargs) -> None:
        """Queue a run with these (plain) arguments; the worker runs it as soon as it can."""
        _wrapper(current_app, self)(*args, queued_at=time.time(), **kwargs)


_TASKS: dict[str, Task] = {}


def task(retries: int = 5, retry_delay: int = 30) -> Callable[[Callable], Task]:
    """Make a function a queued task, tried again `retries` times with exponential backoff."""
    return lambda fn: _register(Task(_name(fn), fn, retries, retry_delay))


def periodic(schedule: Callable, retries: int = 2, retry_delay: int = 60) -> Callable:
    """Make a function a task the worker runs on `schedule` (huey's crontab, in UTC)."""
    return lambda fn: _register(Task(_name(fn), fn, retries, retry_delay, schedule))


def _name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _register(spec: Task) -> Task:
    _TASKS[spec.name] = spec
    return spec


@dataclass
class _State:
    huey: Huey
    wrappers: dict[str, TaskWrapper]


def queue_of(app: Flask) -> Huey:
    """The app's huey, made on first use (so create_app writes nothing), every task known."""
    state: _State | None = app.extensions.get("sharetrack_queue")
    if state is None:
        state = _State(_make_huey(app), {})
        app.extensions["sharetrack_queue"] = state
    for spec in list(_TASKS.values()):
        if spec.name not in state.wrappers:
            state.wrappers[spec.name] = _wrap(app, state.huey, spec)
    return state.huey


def _wrapper(app: Flask, spec: Task) -> TaskWrapper:
    queue_of(app)
    return app.extensions["sharetrack_queue"].wrappers[spec.name]


def _make_huey(app: Flask) -> Huey:
    url = app.config.get("QUEUE_URL") or ""
    name = app.config["QUEUE_NAME"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    path = url.removeprefix("sqlite:///") if url else str(Path(app.instance_path) / "queue.db")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, results=False)


def _wrap(app: Flask, huey: Huey, spec: Task) -> TaskWrapper:
    @functools.wraps(spec.fn)
    def run(*args, task=None, queued_at: float | None = None, **kwargs):
        with app.app_context():
            try:
                return spec.fn(*args, **kwargs)
            except Exception as exc:
                db.session.rollback()
                if task is not None and not task.retries:
                    _record_failure(spec, task.id, exc)
                raise TaskError(type(exc).__name__) from None
            finally:
                db.session.remove()

    options = {
        "retries": spec.retries,
        "retry_delay": spec.retry_delay,
        "retry_backoff": RETRY_BACKOFF,
        "context": True,
        "name": spec.fn.__qualname__,  # huey prefixes the module: the name is spec.name
    }
    if spec.schedule is not None:
        return huey.periodic_task(spec.schedule, **options)(run)
    return huey.task(**options)(run)


def _record_failure(spec: Task, task_id: str, exc: Exception) -> None:
    db.session.add(
        TaskFailure(
            task=spec.name,
            task_id=str(task_id)[:64],
            error=type(exc).__name__[:200],
            tries=spec.retries + 1,
        )
    )
    db.session.commit()
    log.error("task %s failed for good after %d tries", spec.name, spec.retries + 1)


def failures(session, limit: int = 500) -> list[TaskFailure]:
    """The jobs that failed for good, newest first."""
    query = sa.select(TaskFailure).order_by(TaskFailure.id.desc()).limit(limit)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Depth:
    """What waits in the queue: jobs ready to run, jobs waiting for a retry or a time, and how
    long the oldest ready job has waited."""

    pending: int
    scheduled: int
    oldest_seconds: float
    failures: int


def depth(app: Flask) -> Depth:
    """The queue's depth and its oldest job's age, and the count of jobs that failed for good."""
    huey = queue_of(app)
    now = time.time()
    queued = [
        t.kwargs.get("queued_at")
        for t in huey.pending(limit=OLDEST_SCAN_LIMIT)
        if t.kwargs and t.kwargs.get("queued_at")
    ]
    failures = db.session.scalar(sa.select(sa.func.count()).select_from(TaskFailure)) or 0
    return Depth(
        huey.pending_count(),
        huey.scheduled_count(),
        round(max(now - min(queued), 0.0), 3) if queued else 0.0,
        failures,
    )


def consumer(app: Flask, workers: int | None = None, max_delay: float | None = None) -> Consumer:
    """The worker: `workers` threads taking jobs, and the scheduler of periodic tasks."""
    return queue_of(app).create_consumer(
        workers=workers or int(app.config["QUEUE_WORKERS"]),
        worker_type="thread",
        periodic=True,
        initial_delay=0.05,
        max_delay=max_delay or float(app.config["QUEUE_POLL_SECONDS"]),
    )
