"""The redirect's database work in plain DB-API statements: read the target, store the click.

Every click is one read and, for a counted visit, two inserts and a commit. Through SQLAlchemy
each statement costs several times more Python before the database sees it (execution context,
result set-up, type processing) than on the driver's own cursor, and on the redirect that was
most of a click's cost (benchmarks/redirect_inprocess.py prints it). So this module, and only this
module, writes SQL text for SQLite and PostgreSQL (ADR 0008). Everything else — salts, purges,
reports — stays on SQLAlchemy. The schema is still the models' and the migrations': the tests
run these statements against both engines after `flask db upgrade`.

Errors keep SQLAlchemy's shape, so the app's handlers answer a database outage with a 503 as
for any other view: a driver error is wrapped as SQLAlchemy would wrap it, and a dropped
connection is invalidated rather than returned to the pool.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from ..tracking import visitors
from ..tracking.clicks import Visit, referrer_host
from .service import Target

# Table and column names as in models.py and the migrations; parameters are always bound.
_RESOLVE = (
    "SELECT s.id, s.channel, c.slug, c.landing_url, c.window_days, p.code"
    " FROM shares s"
    " JOIN campaigns c ON c.id = s.campaign_id"
    " LEFT OUTER JOIN promoters p ON p.id = s.promoter_id"
    " WHERE s.id = %s"
)
_VISITOR = (
    "INSERT INTO visitor_days (share_id, day, visitor_hash) VALUES (%s, %s, %s)"
    " ON CONFLICT DO NOTHING RETURNING share_id"
)
_CLICK = (
    "INSERT INTO clicks (share_id, at, is_unique, is_bot, is_scan, referrer_host)"
    " VALUES (%s, %s, %s, %s, %s, %s)"
)


class Statements:
    """The three statements in one engine's dialect, and how its driver takes values."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        marker = "?" if self.sqlite else "%s"  # sqlite3 is qmark; psycopg is format
        self.resolve, self.visitor, self.click = (
            sql.replace("%s", marker) for sql in (_RESOLVE, _VISITOR, _CLICK)
        )
        self.error: type[Exception] = engine.dialect.loaded_dbapi.Error

    def moment(self, at: dt.datetime):
        """A naive-UTC datetime as the column holds it (SQLite: SQLAlchemy's text form)."""
        return at.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else at

    def day(self, day: dt.date):
        return day.isoformat() if self.sqlite else day


class Transaction:
    """One checked-out driver connection: the target read, then the click, then a commit."""

    def __init__(self, statements: Statements, connection):
        self.statements = statements
        self.connection = connection
        self.cursor = connection.cursor()

    def _execute(self, sql: str, params: tuple):
        try:
            self.cursor.execute(sql, params)
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

    def record(self, visit: Visit, salt: bytes | None) -> bool:
        """Store one click and commit; returns whether it was a unique human visit today.

        `salt` is the day's visitor-hash salt, needed only when a hash is made (a human visit
        without GPC/DNT); the caller fetches it before taking this connection. Every failure,
        the commit's included, rolls back and raises a SQLAlchemy error.
        """
        s = self.statements
        try:
            if visit.machine:
                unique = False
            elif visit.opted_out:  # GPC/DNT: no hash, no deduplication; counts as unique
                unique = True
            else:
                if salt is None:
                    raise ValueError("a human visit needs the day's salt")
                day = visit.at.date()
                digest = visitors.visitor_hash(salt, visit.ip, visit.user_agent, visit.share_id)
                inserted = self._execute(s.visitor, (visit.share_id, s.day(day), digest))
                unique = bool(inserted.fetchall())  # a row back: it was not there yet
            self._execute(
                s.click,
                (
                    visit.share_id,
                    s.moment(visit.at),
                    unique,
                    visit.machine,
                    visit.scan,
                    referrer_host(visit.referrer),
                ),
            )
            try:
                self.connection.commit()
            except s.error as exc:
                raise self._wrapped("COMMIT", (), exc) from exc
        except BaseException:
            self._rollback()
            raise
        return unique

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
