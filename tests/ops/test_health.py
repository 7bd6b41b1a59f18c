"""GET /healthz: 200 while the database answers, 503 when it does not; never limited, silent."""

from __future__ import annotations

import logging

import pytest

from sharetrack import create_app
from tests.conftest import BOTH_ENGINES
from tests.live import free_port


@BOTH_ENGINES
def test_ok_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "uri",
    [
        "sqlite:////nonexistent-folder/for/sharetrack.db",
        "postgresql+psycopg://postgres@127.0.0.1:{port}/test",
    ],
    ids=["sqlite", "postgresql"],
)
def test_unavailable_when_the_database_does_not_answer(uri):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri.format(port=free_port())})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}


@pytest.fixture
def default_limits_restored():
    """Flask-Limiter keeps default limits on its one limiter: give later tests theirs back."""
    from sharetrack.ratelimit import limiter

    saved = limiter.limit_manager._default_limits
    yield
    limiter.limit_manager.set_default_limits(saved)


@BOTH_ENGINES
@pytest.mark.parametrize("app_config", [{"RATELIMIT_DEFAULT": "2/minute"}], indirect=True)
def test_never_rate_limited(default_limits_restored, client):
    statuses = [client.get("/healthz").status_code for _ in range(6)]
    assert statuses == [200] * 6
    # The same limit does apply elsewhere: the exemption is the health check's own.
    assert [client.get("/c/nothing-here").status_code for _ in range(3)][-1] == 429


def test_logs_nothing_per_call_up_or_down(caplog):
    up = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    down = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/t",
        }
    )
    with caplog.at_level(logging.DEBUG):
        for app in (up, down, up, down):
            app.test_client().get("/healthz")
    assert [r.getMessage() for r in caplog.records] == []
