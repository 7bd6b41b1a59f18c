"""A database that does not answer: 503 problem details (or a 503 page) with Retry-After, fast."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from sharetrack import create_app
from sharetrack.extensions import db
from sharetrack.services import services
from tests.live import free_port


@pytest.fixture
def down_app():
    """The app pointed at a PostgreSQL port where nothing listens."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )


def test_the_api_answers_503_problem_details_with_retry_after(down_app):
    client = down_app.test_client()
    started = time.monotonic()
    response = client.get("/api/v1/campaigns", headers={"Authorization": "Bearer st_x_y"})
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 503
    assert response.json["type"].endswith("/database-unavailable")
    assert response.headers["Retry-After"] == "5"

    response = client.post("/api/v1/shares", json={"campaign": "x", "channel": "facebook"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"


def test_a_visitor_gets_a_503_page_not_a_500(down_app):
    token = services(down_app).tokens.share_token(1)
    response = down_app.test_client().get(f"/s/{token}")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "5"
    assert "try again" in response.get_data(as_text=True)


def test_postgresql_connections_time_out(down_app):
    args = down_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert args["connect_timeout"] == 3
    assert "statement_timeout=30000" in args["options"]
    assert down_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_a_connection_dropped_mid_request_still_gets_its_answer(app, engine_name):
    """PostgreSQL restarting after a request read: ending its session must not turn it into a
    500, and the next request gets a fresh connection."""

    @app.get("/test-dropped")
    def dropped():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        with db.engine.connect() as admin:  # what a restart does to every connection
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "read before the restart"

    @app.get("/test-after")
    def after():
        return str(db.session.scalar(sa.text("SELECT 1")))

    client = app.test_client()
    response = client.get("/test-dropped")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "read before the restart"
    assert client.get("/test-after").get_data(as_text=True) == "1"


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_a_connection_dropped_before_a_query_answers_503(app, engine_name):
    @app.get("/api/v1/test-dropped")
    def dropped():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        with db.engine.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return str(db.session.scalar(sa.text("SELECT 1")))

    response = app.test_client().get("/api/v1/test-dropped")
    assert response.status_code == 503
    assert response.json["type"].endswith("/database-unavailable")


def test_the_statement_timeout_keeps_the_urls_own_options():
    from sharetrack.config import engine_options

    url = "postgresql+psycopg://u@h/db?options=-csearch_path%3Dload"
    options = engine_options({"SQLALCHEMY_DATABASE_URI": url, "DB_STATEMENT_TIMEOUT_MS": 5})
    assert options["connect_args"]["options"] == "-csearch_path=load -c statement_timeout=5"
