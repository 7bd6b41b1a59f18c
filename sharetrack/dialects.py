"""What SQLite and PostgreSQL spell differently, written once for every package.

Only generic helpers live here. A branch that belongs to one module's job stays beside the
reason for it: the redirect's hand-written SQL and its own PostgreSQL engine
(links/redirect_sql.py, create_app), SQLite's connection pragmas (create_app), backups
(ops/backup.py), the import's driver-level inserts and page cache (imports/bulk.py), the
fold's lock without waiting (tracking/rollup.py) and a query-planner hint (reports/queries.py).
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

Bind = Session | scoped_session | Connection | Engine


def name(bind: Bind) -> str:
    """The engine a session, connection or engine talks to: "sqlite" or "postgresql"."""
    if isinstance(bind, Session | scoped_session):
        bind = bind.get_bind()
    return bind.dialect.name


def is_sqlite(bind: Bind) -> bool:
    """Whether `bind` talks to SQLite."""
    return name(bind) == "sqlite"


def insert(bind: Bind, table):
    """INSERT into `table` (a model or a Table) in the engine's own dialect, so it takes
    ON CONFLICT DO NOTHING / DO UPDATE (an upsert) and `.excluded`."""
    return _insert(name(bind), _table(table))


def insert_ignore(bind: Session | scoped_session | Connection, table, values: dict, returning=None):
    """INSERT that does nothing on a duplicate key, on SQLite and PostgreSQL alike.

    Takes a Core connection (the redirect's hot path) or an ORM session (everything else).
    `returning` (a column) gives back the inserted row's value, and no row when ignored.
    """
    conn = bind.connection() if isinstance(bind, Session | scoped_session) else bind
    return conn.execute(_insert_ignore(conn.dialect.name, _table(table), returning), values)


def date_of(timestamp):
    """The calendar date of a timestamp column, read back as a `datetime.date` on both engines
    (SQLite's date() answers text; the Date type reads it back)."""
    return sa.func.date(timestamp, type_=sa.Date)


def reserve_ids(session: Session | scoped_session, table, n: int) -> list[int]:
    """Ids for n new rows of `table`, so they can go in by plain executemany (RETURNING in a
    set order makes SQLAlchemy insert one row per statement on SQLite)."""
    if n == 0:
        return []
    table = _table(table)
    if name(session) == "postgresql":
        return list(
            session.scalars(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": n},
            )
        )
    # SQLite has one writer: once this transaction has written, max(id) cannot move under us.
    session.execute(sa.text(f"UPDATE {table.name} SET id = id WHERE 0"))  # noqa: S608 - our table
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    return list(range(start + 1, start + n + 1))


def _table(table) -> sa.Table:
    return getattr(table, "__table__", table)


def _insert(dialect: str, table: sa.Table):
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


@lru_cache(maxsize=16)
def _insert_ignore(dialect: str, table: sa.Table, returning):
    statement = _insert(dialect, table).on_conflict_do_nothing()
    if returning is not None:
        statement = statement.returning(returning)
    return statement
