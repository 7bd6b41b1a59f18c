"""Delivery: at least once, each event once by id after an outage; retries with backoff for
three days, then the endpoint is disabled; no redirect followed; addresses checked again at
connect time; nothing a receiver does is an error of ours (issue 24)."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import sqlalchemy as sa
import standardwebhooks

from sharetrack.extensions import db
from sharetrack.models import WebhookDelivery, WebhookEndpoint, utcnow
from sharetrack.webhooks import delivery, endpoints, outbox
from tests.conftest import BOTH_ENGINES

HOUR = dt.timedelta(hours=1)


def emit(app, n: int, at: dt.datetime | None = None) -> list[str]:
    """Queue n share.created events (made `at`, default now); their ids."""
    with app.app_context():
        ids = [outbox.emit(db.session, "share.created", {"share": {"id": i}}, at) for i in range(n)]
        db.session.commit()
    return ids


def rows(app) -> list[WebhookDelivery]:
    with app.app_context():
        found = db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        db.session.expunge_all()
        return list(found)


def endpoint_row(app, endpoint_id) -> WebhookEndpoint:
    with app.app_context():
        row = db.session.get(WebhookEndpoint, endpoint_id)
        db.session.expunge(row)
        return row


@BOTH_ENGINES
def test_a_receiver_down_for_a_while_gets_each_event_exactly_once(
    app, receiver, endpoint, run, engine_name
):
    _, secret = endpoint
    ids = emit(app, 3)
    receiver.stop()  # refused connections
    t = utcnow()
    assert run(t).delivered == 0
    receiver.start()
    receiver.mode = "500"
    assert run(t + HOUR).delivered == 0  # answered 500: retried, not an error of ours
    receiver.mode = "close"
    assert run(t + 2 * HOUR).delivered == 0  # hung up without answering
    assert all(r.state == "pending" and r.attempts == 3 for r in rows(app))
    assert all(r.last_status is None and "no answer" in r.last_response for r in rows(app))
    receiver.mode = "ok"
    assert run(t + 2 * HOUR + dt.timedelta(seconds=1)).sent == 0  # not due yet: backoff
    assert run(t + 4 * HOUR).delivered == 3
    assert run(t + 30 * HOUR).sent == 0
    assert sorted(receiver.ids("ok")) == sorted(ids)  # each event exactly once, by id
    assert set(receiver.ids()) == set(ids)  # every attempt carried its event's id
    hook = standardwebhooks.Webhook(secret)
    taken = [r for r in receiver.got if r.answered == "ok"]
    assert all(hook.verify(r.body, r.headers)["type"] == "share.created" for r in taken)
    assert endpoint_row(app, endpoint[0]).failing_since is None


def test_the_backoff_doubles_up_to_six_hours():
    waits = [delivery.backoff(n) for n in range(1, 16)]
    assert waits[:4] == [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == dt.timedelta(hours=6)
    assert waits == sorted(waits)


@BOTH_ENGINES
def test_an_endpoint_failing_for_three_days_is_disabled_with_a_note(
    app, receiver, endpoint, run, engine_name
):
    emit(app, 2)
    receiver.mode = "500"
    t = utcnow()
    run(t)
    run(t + dt.timedelta(days=1))
    assert endpoint_row(app, endpoint[0]).enabled
    summary = run(t + dt.timedelta(days=3))
    assert summary.disabled == 1
    row = endpoint_row(app, endpoint[0])
    assert not row.enabled and "every delivery failed since" in row.disabled_note
    assert "HTTP 500" in row.disabled_note
    assert {r.state for r in rows(app)} == {"failed"}
    sent = len(receiver.got)
    emit(app, 1)  # a disabled endpoint takes no new events
    assert run(t + dt.timedelta(days=4)).sent == 0 and len(receiver.got) == sent
    assert all(r.last_response.startswith("oops") for r in rows(app))
    assert all(len(r.last_response) == 1024 for r in rows(app))  # the first 1 KB


@BOTH_ENGINES
def test_a_redirect_is_not_followed(app, receiver, endpoint, run, engine_name):
    receiver.mode = "redirect"
    emit(app, 1)
    assert run().delivered == 0
    assert [r.path for r in receiver.got] == ["/hook"]  # /elsewhere never asked
    [row] = rows(app)
    assert row.state == "pending" and row.last_status == 302


def test_a_receiver_that_never_answers_times_out_and_is_retried(app, endpoint, run):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts into its backlog, never answers
    try:
        with app.app_context():
            row = db.session.get(WebhookEndpoint, endpoint[0])
            row.url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
            db.session.commit()
        app.config["WEBHOOK_TIMEOUT"] = 0.2
        emit(app, 1)
        assert run().delivered == 0
    finally:
        silent.close()
    [row] = rows(app)
    assert row.state == "pending" and row.attempts == 1
    assert "timed out" in row.last_response.lower() or "timeout" in row.last_response.lower()


@BOTH_ENGINES
def test_the_address_is_checked_again_at_connect_time(app, receiver, endpoint, run, engine_name):
    """Registered while allowed; once private addresses are not, nothing is sent there."""
    emit(app, 1)
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    assert run().delivered == 0
    assert receiver.got == []
    [row] = rows(app)
    assert row.last_status is None and "127.0.0.1" in row.last_response
    assert "refused" in row.last_response


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(app, receiver, endpoint, run):
    endpoint_id, old = endpoint
    with app.app_context():
        new = endpoints.rotate(db.session.get(WebhookEndpoint, endpoint_id))
        db.session.commit()
    emit(app, 1)
    run()
    assert len(receiver.verified(old)) == len(receiver.verified(new)) == 1
    emit(app, 1)
    run(utcnow() + dt.timedelta(hours=25))
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(old).verify(receiver.got[-1].body, receiver.got[-1].headers)
    standardwebhooks.Webhook(new).verify(receiver.got[-1].body, receiver.got[-1].headers)


@BOTH_ENGINES
def test_resend_sends_the_same_event_id_again(app, receiver, endpoint, run, engine_name):
    [event_id] = emit(app, 1)
    run()
    [row] = rows(app)
    with app.app_context():
        ep = db.session.get(WebhookEndpoint, endpoint[0])
        assert endpoints.resend(db.session, ep, row.id) is not None
        assert endpoints.resend(db.session, ep, row.id + 1000) is None
        db.session.commit()
    assert run().delivered == 1
    assert receiver.ids() == [event_id, event_id]


def test_the_cli_runs_due_deliveries_once(app, runner, receiver, endpoint):
    emit(app, 2)
    result = runner.invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0, result.output
    assert "sent 2, delivered 2" in result.output
    assert len(receiver.got) == 2


def test_purge_deletes_deliveries_finished_long_ago_and_keeps_waiting_ones(
    app, runner, receiver, endpoint, run
):
    long_ago = utcnow() - dt.timedelta(days=40)
    emit(app, 2, at=long_ago)
    run(long_ago)  # delivered 40 days ago
    receiver.mode = "500"
    emit(app, 1)
    run()  # fails: waits for its retry
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "2 webhook deliveries" in result.output
    assert [r.state for r in rows(app)] == ["pending"]
