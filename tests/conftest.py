"""Fixtures: an app per test on SQLite or PostgreSQL, a client, a CLI runner, and factories.

The suite runs on the engine named by DATABASE_URL (SQLite when unset). Tests that must run on
both engines ask for `engine_name` through `@pytest.mark.parametrize(..., indirect=True)` or use
the `both_engines` marker-less parametrisation helper below. PostgreSQL tests skip with a reason
when no server answers, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import settings
from jinja2 import BytecodeCache

from sharetrack import create_app, queue
from sharetrack.auth import api_keys
from sharetrack.extensions import db
from sharetrack.links import service as links
from sharetrack.models import Campaign, Promoter, Share
from sharetrack.services import services

PG_URL = os.environ.get(
    "SHARETRACK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
BOTH_ENGINES = pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"], indirect=True)
# What a browser sends with a form posted from a page of the same origin (Fetch Metadata): the
# public forms check it instead of a session-bound token (ADR 0402).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
# Hypothesis checks what the code does, not how fast: a deadline fails tests on a busy machine
# (the suite runs in parallel beside other work). Timings belong to benchmarks/. CI tries
# hypothesis' full 100 examples per property, a local run half as many (tests that set their
# own count keep it).
settings.register_profile("ci", deadline=None)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile("ci" if IN_CI else "dev")
# Argon2id at its cheapest useful cost: signing in is a test's set-up, not what it measures.
# Production keeps RFC 9106's costs (sharetrack/config.py); tests/auth checks the hashing itself.
CHEAP_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


def _remember_url_builders() -> None:
    """Compile each URL rule's builder once per test process, not once per app.

    Werkzeug compiles a Python function for every rule of every app it binds (`Rule.compile`);
    the suite makes an app per test, and those ~90 rules cost about 30 ms of each app's 40 ms.
    The function's code depends only on the rule, its parts, its defaults and whether unknown
    arguments are appended (the rule and its converters are reached through the bound `self`),
    so a function made for one app's rule serves the same rule of the next. Production makes
    one app per process and is untouched.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    made: dict = {}

    def remembered(self, append_unknown: bool = True):
        key = (
            self.rule,
            tuple(self._trace),
            tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
            tuple(sorted((k, type(c).__name__) for k, c in self._converters.items())),
            append_unknown,
        )
        if key not in made:
            made[key] = compile_builder(self, append_unknown)
        return made[key]

    Rule._compile_builder = remembered


_remember_url_builders()


class _SharedBytecode(BytecodeCache):
    """Jinja's compiled templates kept in memory and shared by every app of the test process.

    Each app has its own Jinja environment, so without this every test that renders a page
    compiles its templates again (a quarter of a page test's time). Jinja checks each bucket
    against the template source's checksum, so a changed template is compiled afresh.
    """

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedBytecode()}


def _default_engine() -> str:
    return "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def postgres_url() -> str:
    """The PostgreSQL URL to test against (DATABASE_URL if it is one)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else PG_URL


def require_postgres() -> str:
    """Skip (fail under CI) when PostgreSQL does not answer; returns its URL."""
    url = postgres_url().replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true and did not answer: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {url}: start it to run this test")
    finally:
        engine.dispose()
    return url


def pytest_collection_modifyitems(items):
    """Mark `postgres` each test parametrised onto PostgreSQL (make test on SQLite leaves them)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and "postgresql" in callspec.params.values():
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def engine_name(request) -> str:
    """The engine under test: a parametrised value, else DATABASE_URL's."""
    return getattr(request, "param", _default_engine())


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[tuple[str, str]]:
    """A private schema in the PostgreSQL test database, so parallel runs never collide."""
    url = require_postgres()
    schema = f"st_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    yield url, schema
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def pg_options(schema: str) -> dict:
    """Engine options that put every connection in `schema`."""
    return {"connect_args": {"options": f"-csearch_path={schema}"}}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file holding the models' empty schema, made once per test process."""
    path = tmp_path_factory.mktemp("template") / "schema.db"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", **CHEAP_ARGON2}
    )
    with app.app_context():
        db.create_all()
        db.engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def database_config(engine_name, tmp_path, request) -> dict:
    """Config overrides pointing the app at a fresh database of `engine_name`."""
    if engine_name == "sqlite":
        # A copy of the schema costs far less than creating every table again.
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    url, schema = request.getfixturevalue("pg_schema")
    return {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": pg_options(schema)}


@pytest.fixture
def queue_config(tmp_path) -> dict:
    """The task queue's storage: an SQLite file of the test's own (tests/queue override it)."""
    return {"QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}"}


@pytest.fixture
def app_config(database_config, queue_config, tmp_path) -> dict:
    """Everything create_app is given in tests; override to change one setting.

    Each test has its own file cache: none reads another's pages or cards, and the cache's
    start (which counts the files already there) stays cheap.
    """
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789abcdefghijkl",
        "BASE_URL": "https://st.example",
        "CACHE_DIR": str(tmp_path / "cache"),
        **CHEAP_ARGON2,
        **database_config,
        **queue_config,
    }


@pytest.fixture
def app(app_config):
    """An app with an empty schema (create_all is for tests only; the real one migrates)."""
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    close_connections(app)


def close_connections(app) -> None:
    """Close every pooled connection of an app a test made (PostgreSQL warns of open ones)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    services(app).redirect_statements.dispose()


@pytest.fixture
def worker(app) -> Iterator[object]:
    """The task queue's worker (huey's consumer, as `flask worker` runs it) in threads of this
    process, taking the app's jobs until the test ends."""
    consumer = queue.consumer(app, workers=2, max_delay=0.05)
    consumer._set_signal_handlers = lambda: None  # pytest keeps its own; not the main program
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)


@pytest.fixture
def ctx(app):
    """An app context, for tests that read the database directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def api_key(app) -> str:
    """A live staff API key."""
    with app.app_context():
        _, key = api_keys.create(db.session, "tests")
        db.session.commit()
    return key


@pytest.fixture
def auth(api_key) -> dict:
    """Headers that authenticate as staff."""
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def make_campaign(app):
    """Factory: a stored campaign; keyword arguments override the defaults."""
    counter = iter(range(1, 10**6))

    def make(**fields) -> Campaign:
        n = next(counter)
        values = {
            "slug": f"case-{n}",
            "title": f"Legal challenge {n}",
            "landing_url": "https://case.example/pledge?lang=en",
            "currency": "GBP",
            "target_minor": 1_000_000,
            "window_days": 30,
            "status": "active",
        } | fields
        with app.app_context():
            campaign = Campaign(**values)
            db.session.add(campaign)
            db.session.commit()
            db.session.refresh(campaign)
            db.session.expunge(campaign)
        return campaign

    return make


@pytest.fixture
def make_share(app, make_campaign):
    """Factory: a stored share (campaign, promoter made if not given); returns (share, token)."""

    def make(
        campaign: Campaign | None = None,
        channel: str = "facebook",
        promoter_code: str | None = None,
        parent_id: int | None = None,
    ):
        campaign = campaign or make_campaign()
        with app.app_context():
            promoter = (
                links.promoter_by_code(db.session, promoter_code)
                if promoter_code
                else links.create_promoter(db.session)
            )
            share = Share(
                campaign_id=campaign.id,
                promoter_id=promoter.id,
                channel=channel,
                parent_id=parent_id,
            )
            db.session.add(share)
            db.session.commit()
            db.session.refresh(share)
            db.session.expunge(share)
            token = services(app).tokens.share_token(share.id)
        return share, token

    return make


def click_rows(
    share_id: int, at, n: int = 1, *, unique: bool = False, bot: bool = False, scan: bool = False
) -> list[dict]:
    """`n` stored clicks: a unique visit carries a hash no other click shares, a repeat none (as
    once its day's hashes are forgotten), a machine none."""
    return [
        {
            "share_id": share_id,
            "at": at,
            "is_bot": bot,
            "is_scan": scan,
            "visitor_hash": os.urandom(16) if unique and not bot else None,
        }
        for _ in range(n)
    ]


@pytest.fixture
def query_counter(app):
    """Counts SQL statements sent on the app's engine while the test runs."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    yield statements
    sa.event.remove(engine, "before_cursor_execute", count)


__all__ = ["BOTH_ENGINES", "Promoter", "click_rows"]
