"""The redirect's SQL on the driver's own cursor: read a share's target, store a click.

A counted click is one INSERT and its commit (ADR 0009); the target is read only when the
worker has not got it (links/redirect.py keeps recent ones). Through SQLAlchemy each statement
costs several times more Python than the database's own work, so this module, and only this
module, writes SQL text for SQLite and PostgreSQL (ADR 0008). Everything else — salts, purges,
reports — stays on SQLAlchemy. The schema is still the models' and the migrations': the tests
run these statements against both engines after `flask db upgrade`.

On PostgreSQL the redirect has its own small pool (click_engine), whose connections do nothing
but read targets and store clicks: they run in autocommit with `synchronous_commit` off for
their session, so a click is one prepared INSERT, one round trip, whose commit returns without
waiting for its WAL to reach the disk (ADR 1601). A click can be lost only if the database
server itself crashes within a fraction of a second of it; every other write (pledges,
credits, salts) goes through the app's pool at the server's setting, fully synchronous.

Errors keep SQLAlchemy's shape, so the app's handlers answer a database outage with a 503 as
for any other view: a driver error is wrapped as SQLAlchemy would wrap it, and a dropped
connection is invalidated rather than returned to the pool.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from ..tracking.clicks import ClickRow
from .service import Target

# Table and column names as in sharetrack/models/ and the migrations; parameters are bound.
_RESOLVE = (
    "SELECT s.id, s.channel, c.slug, c.landing_url, c.window_days, p.code"
    " FROM shares s"
    " JOIN campaigns c ON c.id = s.campaign_id"
    " LEFT OUTER JOIN promoters p ON p.id = s.promoter_id"
    " WHERE s.id = %s"
)
_CLICK = (
    "INSERT INTO clicks (share_id, at, day, is_bot, is_scan, referrer_host, visitor_hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def click_engine(app_engine: Engine, options: dict) -> Engine:
    """PostgreSQL: the redirect's own small pool, in autocommit, with asynchronous commits.

    Its connections only ever read share targets and store clicks, so `synchronous_commit` is
    turned off for their whole session (the app's pool keeps the server's setting), and each
    click is a single prepared INSERT that commits itself: one round trip, no parse or plan.

    The app's pool pings every connection it hands out (`pool_pre_ping`), a round trip that
    would double a click's. Here a connection is checked without one: a server that restarted
    or ended the session has sent its goodbye, so a readable socket on an idle connection means
    it is gone, and the pool replaces it before the click uses it.
    """
    engine = sa.create_engine(
        app_engine.url, **{**options, "pool_pre_ping": False, "isolation_level": "AUTOCOMMIT"}
    )

    @sa.event.listens_for(engine, "connect")
    def _asynchronous_commits(dbapi_connection, _record):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET inside a transaction rolled back is undone
        dbapi_connection.execute("SET synchronous_commit TO OFF")
        dbapi_connection.autocommit = autocommit

    @sa.event.listens_for(engine, "checkout")
    def _closed_by_server(dbapi_connection, _record, _proxy):
        if select.select([dbapi_connection.fileno()], [], [], 0)[0]:
            raise sa_exc.DisconnectionError("the server has closed this connection")

    return engine


class Writers:
    """SQLite: the click writes of every worker, one at a time, queued in the kernel.

    SQLite lets one writer in at a time, and one that finds the lock taken sleeps 1, 2, 5 ms…
    in its busy handler before trying again, though a click's write takes a small fraction of a
    millisecond. So click writers first take an exclusive flock() on a file beside the
    database: the next one wakes the moment the last one is done. Other writers (folds,
    pledges) still meet SQLite's busy handler, as does a click that finds one of them writing.
    """

    def __init__(self, database: str | None):
        self.path = f"{database}-clicks.lock" if database and database != ":memory:" else None
        self._threads = threading.Lock()  # flock() does not tell one process's threads apart
        self._pid: int | None = None
        self._fd = -1

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the click writers' lock (no-op for an in-memory database)."""
        if self.path is None:
            yield
            return
        with self._threads:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _file(self) -> int:
        if self._pid != os.getpid():  # a forked worker opens its own: flock() is per open file
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def close(self) -> None:
        if self._pid == os.getpid():
            os.close(self._fd)
            self._pid = None


class Statements:
    """The two statements in one engine's dialect, and how its driver takes values."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        marker = "?" if self.sqlite else "%s"  # sqlite3 is qmark; psycopg is format
        self.resolve, self.click = (sql.replace("%s", marker) for sql in (_RESOLVE, _CLICK))
        self.error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self.writers = Writers(engine.url.database if self.sqlite else None)
        # psycopg prepares a statement on the server the first time (sqlite3 keeps its own).
        self.prepare = {} if self.sqlite else {"prepare": True}

    def dispose(self) -> None:
        """Close the pooled connections and the lock file (the app's teardown)."""
        self.engine.dispose()
        self.writers.close()

    def moment(self, at: dt.datetime):
        """A naive-UTC datetime as the column holds it (SQLite: SQLAlchemy's text form)."""
        return at.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else at

    def day(self, day: dt.date):
        return day.isoformat() if self.sqlite else day


class Transaction:
    """One checked-out driver connection: the target read if needed, the click, a commit."""

    def __init__(self, statements: Statements, connection):
        self.statements = statements
        self.connection = connection
        self.cursor = connection.cursor()

    def _execute(self, sql: str, params: tuple):
        try:
            self.cursor.execute(sql, params, **self.statements.prepare)
        except self.statements.error as exc:
            raise self._wrapped(sql, params, exc) from exc
        return self.cursor

    def _wrapped(self, sql: str, params: tuple, exc: Exception) -> sa_exc.DBAPIError:
        dialect = self.statements.engine.dialect
        dropped = dialect.is_disconnect(exc, self.connection.dbapi_connection, self.cursor)
        if dropped:
            self.connection.invalidate(exc)
        return sa_exc.DBAPIError.instance(
            sql,
            params,
            exc,
            self.statements.error,
            hide_parameters=True,
            connection_invalidated=dropped,
            dialect=dialect,
        )

    def resolve(self, share_id: int) -> Target | None:
        """The redirect target of a share, or None if there is no such share."""
        rows = self._execute(self.statements.resolve, (share_id,)).fetchall()
        return Target(*rows[0]) if rows else None

    def record(self, click: ClickRow) -> None:
        """Store one click and commit: one INSERT (on PostgreSQL, in autocommit, one round
        trip). Every failure, the commit's included, rolls back and raises a SQLAlchemy
        error."""
        s = self.statements
        params = (
            click.share_id,
            s.moment(click.at),
            s.day(click.at.date()),
            click.is_bot,
            click.is_scan,
            click.referrer_host,
            click.visitor_hash,
        )
        try:
            if s.sqlite:
                with s.writers.turn():
                    self._execute(s.click, params)
                    self._commit()
            else:  # autocommit: the INSERT is its own transaction
                self._execute(s.click, params)
        except BaseException:
            self._rollback()
            raise

    def _commit(self) -> None:
        try:
            self.connection.commit()
        except self.statements.error as exc:
            raise self._wrapped("COMMIT", (), exc) from exc

    def _rollback(self) -> None:
        if not self.connection.is_valid:  # invalidated by _wrapped: nothing left to roll back
            return
        try:
            self.connection.rollback()
        except Exception:  # the connection is gone; the pool replaces it
            self.connection.invalidate()


@contextmanager
def transaction(statements: Statements) -> Iterator[Transaction]:
    """A pooled driver connection for one redirect; back to the pool (rolled back) after."""
    try:
        connection = statements.engine.raw_connection()
    except statements.error as exc:  # cannot connect: wrapped as engine.connect() would
        raise sa_exc.DBAPIError.instance(
            None, None, exc, statements.error, dialect=statements.engine.dialect
        ) from exc
    try:
        yield Transaction(statements, connection)
    finally:
        connection.close()
