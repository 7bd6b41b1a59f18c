"""The task queue (sharetrack/queue.py): a real worker takes jobs from each storage, on both
engines; retries back off; a job failing for good is listed to staff and counted."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa

from sharetrack import queue
from sharetrack.extensions import db
from sharetrack.models import Promoter, TaskFailure
from tests.conftest import BOTH_ENGINES
from tests.ops.conftest import METRICS_TOKEN
from tests.ops.test_metrics import value
from tests.test_ratelimit import REDIS_URL, require_redis

SECRET_ADDRESS = "ada.lovelace@example.org"


@queue.task(retries=1, retry_delay=0)
def make_promoter(code: str) -> None:
    """A job that writes to the app's database, as real jobs do."""
    db.session.add(Promoter(code=code))
    db.session.commit()


@queue.task(retries=1, retry_delay=0)
def always_fails(address: str) -> None:
    raise ValueError(f"mailbox {address} refused")  # an error naming whom it was for


@queue.task(retries=3, retry_delay=30)
def fails_slowly() -> None:
    raise ConnectionError("down")


def codes() -> set[str]:
    db.session.rollback()  # a fresh snapshot each time
    return set(db.session.scalars(sa.select(Promoter.code)))


def wait_until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


@pytest.fixture(params=["sqlite", "redis"])
def queue_config(request, tmp_path) -> dict:
    """Each storage the queue runs on, under a name of this test's own."""
    name = f"st-test-{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        return {"QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}", "QUEUE_NAME": name}
    client = require_redis()
    request.addfinalizer(lambda: [client.delete(k) for k in client.scan_iter(f"*{name}*")])
    return {"QUEUE_URL": REDIS_URL, "QUEUE_NAME": name}


@BOTH_ENGINES
def test_the_worker_runs_jobs_in_an_app_context(app, worker):
    with app.app_context():
        make_promoter.enqueue("queued-1")
        make_promoter.enqueue("queued-2")
        wait_until(lambda: codes() == {"queued-1", "queued-2"})
        assert queue.depth(app).pending == 0


@BOTH_ENGINES
def test_a_job_failing_for_good_is_listed_and_counted_without_its_arguments(
    app, worker, client, auth, caplog
):
    with app.app_context():
        always_fails.enqueue(SECRET_ADDRESS)
        wait_until(lambda: db.session.scalar(sa.select(sa.func.count(TaskFailure.id))))
    listed = client.get("/api/v1/tasks/failures", headers=auth)
    assert listed.status_code == 200
    [failure] = listed.json["failures"]
    assert failure["task"] == "tests.test_queue.always_fails"
    assert (failure["error"], failure["tries"]) == ("ValueError", 2)
    assert SECRET_ADDRESS not in listed.text and SECRET_ADDRESS not in caplog.text
    assert client.get("/api/v1/tasks/failures").status_code == 401
    client.application.config["METRICS_TOKEN"] = METRICS_TOKEN
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert value(text, "sharetrack_queue_failures") == 1
    assert value(text, "sharetrack_queue_up") == 1


def test_a_failed_job_waits_longer_before_each_try(app, worker):
    with app.app_context():
        fails_slowly.enqueue()
        huey = queue.queue_of(app)
        [retry] = wait_until(lambda: huey.scheduled())
    assert retry.retries == 2
    assert retry.retry_delay == 60  # 30 s before this try, twice that before the next
    waits = (retry.eta - time_now_utc()).total_seconds()
    assert 25 < waits <= 30


def time_now_utc():
    import datetime as dt

    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_metrics_show_the_depth_and_the_oldest_jobs_age(app, client):
    """No worker: the jobs wait, and /metrics says how many and for how long."""
    client.application.config["METRICS_TOKEN"] = METRICS_TOKEN
    with app.app_context():
        make_promoter.enqueue("waiting-1")
        time.sleep(0.05)  # an age to measure
        make_promoter.enqueue("waiting-2")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert value(text, "sharetrack_queue_pending") == 2
    assert 0.05 <= value(text, "sharetrack_queue_oldest_seconds") < 10
    assert value(text, "sharetrack_queue_scheduled") == 0
