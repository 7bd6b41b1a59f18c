"""The task queue's worker sends webhook deliveries: a periodic job every minute."""

from __future__ import annotations

import datetime as dt
import time

from sharetrack import queue
from sharetrack.webhooks import tasks
from tests.webhooks.test_delivery import emit


def test_the_worker_runs_the_delivery_job_every_minute():
    assert tasks.deliver_webhooks.name in queue._TASKS
    schedule = tasks.deliver_webhooks.schedule
    assert schedule is not None
    minutes = [dt.datetime(2026, 12, 5, 10, m) for m in range(60)]
    assert all(schedule(at) for at in minutes)


def test_a_queued_event_reaches_the_receiver_through_the_worker(app, receiver, endpoint, worker):
    [event_id] = emit(app, 1)
    with app.app_context():
        tasks.deliver_webhooks.enqueue()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not receiver.ids():
        time.sleep(0.05)
    # At least once, and by its id: a slow answer retried would be the same webhook-id.
    assert set(receiver.ids()) == {event_id}
    assert len(receiver.verified(endpoint[1])) == len(receiver.ids()) >= 1  # every one signed
