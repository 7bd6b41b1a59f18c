"""The redirect in front of Flask (links/middleware.py) answers exactly as the Flask view does."""

from __future__ import annotations

import pytest

from sharetrack.links.middleware import RedirectMiddleware
from sharetrack.services import services
from tests.conftest import BOTH_ENGINES
from tests.links.test_redirect import BROWSER, FACEBOOK_PREVIEW, clicks, firsts, visit

VARIANTS = [
    ("GET", "/s/{token}", {}),
    ("GET", "/S/{TOKEN}", {}),
    ("GET", "/s/{token}/q", {}),
    ("GET", "/S/{TOKEN}/Q", {}),
    ("HEAD", "/s/{token}", {}),
    ("GET", "/s/{token}", {"ua": FACEBOOK_PREVIEW}),
    ("GET", "/s/{token}", {"Sec-GPC": "1"}),
    ("GET", "/s/{token}", {"Sec-Purpose": "prefetch"}),
    ("GET", "/s/{token}", {"Referer": "https://news.example/story?id=7"}),
    ("GET", "/s/{forged}", {}),
    ("GET", "/s/1.0000000000000000", {}),
]


@pytest.fixture
def flask_hooks(app):
    """How many requests went through Flask's own request handling."""
    seen = []
    app.before_request(lambda: seen.append(1) and None)
    return seen


def without_middleware(app):
    assert isinstance(app.wsgi_app, RedirectMiddleware)
    return app.wsgi_app.wsgi_app


def comparable(response) -> dict:
    """Everything the visitor gets, with the touch cookie's times left out (the value and
    Expires carry the second of the click, which may tick between the two requests).

    Flask's session machinery adds `Vary: Cookie` when something read the session; on a
    `private, no-store` redirect it changes nothing, and the middleware does not add it.
    """

    def cookie(value: str) -> str:
        name, _, rest = value.partition("=")
        attributes = [a.strip() for a in rest.split(";")[1:]]
        return "; ".join([f"{name}=…", *(a for a in attributes if not a.startswith("Expires="))])

    headers = sorted(
        (name, cookie(value)) if name == "Set-Cookie" else (name, value)
        for name, value in response.headers.items()
        if name != "Vary"
    )
    return {"status": response.status_code, "headers": headers, "body": response.data}


@BOTH_ENGINES
def test_every_kind_of_click_gets_the_flask_views_answer(app, client, make_share, flask_hooks):
    _, token = make_share()
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    client.get(f"/s/{forged}")  # Flask renders the 404 page once; the middleware reuses it
    del flask_hooks[:]
    for n, (method, path, headers) in enumerate(VARIANTS):
        path = path.format(token=token, TOKEN=token.upper(), forged=forged)
        fast = visit(
            client.application.test_client(), path, method=method, ip=f"192.0.2.{n}", **headers
        )
        assert flask_hooks == [], f"{method} {path} went through Flask"
        original, app.wsgi_app = app.wsgi_app, without_middleware(app)
        try:
            slow = visit(app.test_client(), path, method=method, ip=f"198.51.100.{n}", **headers)
        finally:
            app.wsgi_app = original
        assert flask_hooks, f"{method} {path} did not reach the Flask view"
        del flask_hooks[:]
        a, b = comparable(fast), comparable(slow)
        assert a["status"] == b["status"] and a["body"] == b["body"], (method, path)
        assert a["headers"] == b["headers"], (method, path, set(a["headers"]) ^ set(b["headers"]))
    stored = [
        (c.share_id, first, c.is_bot, c.is_scan, c.referrer_host, c.visitor_hash is None)
        for c, first in zip(clicks(app), firsts(app), strict=True)
    ]
    assert len(stored) == 2 * 9  # every variant but the two 404s, once each way
    assert stored[0::2] == stored[1::2]


def test_a_click_in_front_of_flask_pushes_no_app_context(app, client, make_share):
    """The middleware answers without an app context (its teardown cost a click 7 %); only a
    day's first salt needs one, so the count settles once that is made."""
    _, token = make_share()
    teardowns = []
    app.teardown_appcontext(lambda _exc: teardowns.append(1))
    assert visit(client, f"/s/{token}").status_code == 302  # the day's salt, once
    del teardowns[:]
    for n in range(5):
        assert visit(client, f"/s/{token}", ip=f"192.0.2.{n}").status_code == 302
    assert teardowns == []
    assert len(clicks(app)) == 6


def test_other_paths_and_methods_go_to_flask(app, client, make_share, flask_hooks):
    _, token = make_share()
    for method, path in [
        ("POST", f"/s/{token}"),
        ("GET", f"/s/{token}/qr.svg"),
        ("GET", f"/s/{token}/Q"),  # lowercase prefix, uppercase suffix: no such route
        ("GET", f"/s/{token}/"),
        ("GET", "/c/demo"),
    ]:
        del flask_hooks[:]
        client.open(path, method=method, headers={"User-Agent": BROWSER})
        assert flask_hooks, f"{method} {path} was answered by the middleware"
    assert clicks(app) == []


def test_with_the_database_down_flask_answers_with_its_503_page(
    app, client, make_share, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    _, token = make_share()

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, ConnectionError("database is down"))

    monkeypatch.setattr("sharetrack.links.redirect_sql.Transaction.resolve", down)
    response = visit(client, f"/s/{token}")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "try again" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_path_with_a_trailing_newline_is_not_a_redirect(app, client, make_share):
    _, token = make_share()
    for path in (f"/s/{token}%0A", f"/S/{token.upper()}/Q%0A", f"/s/{token}/q%0a"):
        assert visit(client, path).status_code == 404
    assert clicks(app) == []


@BOTH_ENGINES
def test_with_the_database_down_the_view_does_not_try_again(
    app, client, make_share, monkeypatch, engine_name
):
    from sqlalchemy.exc import OperationalError

    _, token = make_share()
    calls = []

    def down(*_args, **_kwargs):
        calls.append(1)
        raise OperationalError("SELECT", {}, ConnectionError("database is down"))

    monkeypatch.setattr("sharetrack.links.redirect_sql.Transaction.resolve", down)
    assert visit(client, f"/s/{token}").status_code == 503
    assert calls == [1]  # the middleware's attempt only: a dead database is waited for once


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
def test_a_failed_commit_still_redirects_and_is_logged(
    app, client, make_share, monkeypatch, caplog, engine_name
):
    """A driver error at COMMIT (SQLite busy past its timeout, a dropped connection) is
    wrapped like any other: the visitor is sent on, the click is not stored, nothing retries."""
    import sqlite3

    from sharetrack.links import redirect_sql

    _, token = make_share()
    error = sqlite3.OperationalError("database is locked")

    class FailingCommit:
        def __init__(self, connection):
            self._connection = connection

        def commit(self):
            raise error

        def __getattr__(self, name):
            return getattr(self._connection, name)

    original = redirect_sql.Transaction.__init__

    def wrapped(self, statements, connection):
        original(self, statements, FailingCommit(connection))

    monkeypatch.setattr(redirect_sql.Transaction, "__init__", wrapped)
    response = visit(client, f"/s/{token}")
    assert response.status_code == 302
    assert "click on share" in caplog.text and "not recorded" in caplog.text
    monkeypatch.undo()
    assert clicks(app) == []
    assert visit(client, f"/s/{token}", ip="198.51.100.3").status_code == 302
    assert len(clicks(app)) == 1


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_a_click_insert_that_fails_on_postgresql_is_logged_and_the_pool_recovers(
    app, client, make_share, caplog, engine_name
):
    """The click is one prepared INSERT in autocommit: when it fails nothing is stored, the
    visitor is sent on, and the pooled connection stores the next click."""
    _, token = make_share()
    statements = services(app).redirect_statements
    insert = statements.click
    statements.click = insert.replace("visitor_hash)", "no_such_column)")
    try:
        assert visit(client, f"/s/{token}").status_code == 302
    finally:
        statements.click = insert
    assert "not recorded" in caplog.text and "no_such_column" in caplog.text
    assert clicks(app) == []
    assert visit(client, f"/s/{token}", ip="198.51.100.3").status_code == 302
    assert len(clicks(app)) == 1


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_only_the_click_pool_commits_asynchronously_on_postgresql(
    app, client, make_share, engine_name
):
    """synchronous_commit is off for the redirect's own connections, which store nothing but
    clicks, and at the server's setting (on) for every other write."""
    import sqlalchemy as sa

    from sharetrack.extensions import db

    _, token = make_share()
    assert visit(client, f"/s/{token}").status_code == 302
    click_engine = services(app).redirect_statements.engine
    with click_engine.connect() as conn:
        assert conn.execute(sa.text("SHOW synchronous_commit")).scalar() == "off"
    with app.app_context():
        assert click_engine is not db.engine
        assert db.session.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_a_connection_dropped_before_the_click_is_written_still_redirects(
    app, client, make_share, monkeypatch, engine_name
):
    import sqlalchemy as sa

    from sharetrack.extensions import db
    from sharetrack.links import redirect_sql

    _, token = make_share()
    original = redirect_sql.Transaction.record

    def drop_then_record(self, row):
        pid = self.cursor.execute("SELECT pg_backend_pid()").fetchone()[0]
        with db.engine.connect() as admin:  # what a restart does to the connection
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return original(self, row)

    monkeypatch.setattr(redirect_sql.Transaction, "record", drop_then_record)
    assert visit(client, f"/s/{token}").status_code == 302
    monkeypatch.undo()
    assert clicks(app) == []
    assert visit(client, f"/s/{token}", ip="198.51.100.3").status_code == 302  # a fresh connection
    assert len(clicks(app)) == 1


def test_the_shared_404_page_holds_nobodys_flashed_message(app, client, make_share):
    _, token = make_share()
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Thank you: your pledge of £50 is in.")]
    first = visit(client, f"/s/{forged}")
    assert first.status_code == 404 and "£50" not in first.get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["_flashes"]  # still there for this visitor's next page
    later = visit(app.test_client(), f"/s/{forged}")
    assert later.data == first.data


@BOTH_ENGINES
def test_a_click_holds_one_connection_at_a_time_even_for_the_days_first_salt(
    app, client, make_share, engine_name
):
    """With many threads per worker, a click that held one pooled connection while waiting for
    a second (the day's salt) could exhaust the pool; the salt is fetched first."""
    import sqlalchemy as sa

    from sharetrack.extensions import db

    _, token = make_share()
    services(app).salts.clear()  # this worker has not seen today yet
    with app.app_context():
        pool = db.engine.pool
    out, peak = [0], [0]

    def checkout(*_args):
        out[0] += 1
        peak[0] = max(peak[0], out[0])

    def checkin(*_args):
        out[0] -= 1

    sa.event.listen(pool, "checkout", checkout)
    sa.event.listen(pool, "checkin", checkin)
    try:
        assert visit(client, f"/s/{token}").status_code == 302
    finally:
        sa.event.remove(pool, "checkout", checkout)
        sa.event.remove(pool, "checkin", checkin)
    assert peak == [1]
    assert firsts(app) == [True]


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_a_connection_the_server_ended_between_clicks_is_replaced_and_no_click_lost(
    app, client, make_share, engine_name
):
    """The redirect's pool does not ping (a round trip per click); a connection the server has
    closed (a restart, an admin) is found by its readable socket and replaced before use."""
    import time

    import sqlalchemy as sa

    from sharetrack.extensions import db

    _, token = make_share()
    assert visit(client, f"/s/{token}").status_code == 302
    pooled = services(app).redirect_statements.engine.raw_connection()
    pid = pooled.dbapi_connection.info.backend_pid
    pooled.close()  # back to the pool: the next click takes it
    with app.app_context(), db.engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        alive = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        deadline = time.monotonic() + 10
        while admin.execute(alive, {"pid": pid}).scalar():
            assert time.monotonic() < deadline, "the terminated backend is still there"
            time.sleep(0.01)
            admin.rollback()  # pg_stat_activity is read once per transaction: look afresh
    assert visit(client, f"/s/{token}", ip="198.51.100.3").status_code == 302
    assert len(clicks(app)) == 2
