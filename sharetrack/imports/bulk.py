"""How an import writes fast: Core inserts in chunks, the driver's executemany for clicks,
ids reserved up front, and on SQLite a page cache the indexes fit in."""

from __future__ import annotations

import contextlib
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import dialects

CHUNK = 10_000
IMPORT_CACHE_KIB = 256 * 1024


def chunks(rows: list, size: int = CHUNK):
    """`rows` in lists of at most `size`."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert(session: Session, model, rows: list[dict]) -> None:
    """Insert rows with Core (the ORM's bulk path costs more than the database here)."""
    table = model.__table__
    connection = session.connection()
    for chunk in chunks(rows):
        connection.execute(table.insert(), chunk)


def driver_insert(session: Session, model, columns: list[str]):
    """A function inserting tuples of `columns` (all of the table's but its id) straight
    through the driver's executemany.

    For the million clicks of an import: SQLAlchemy's per-value processing costs more than
    SQLite's insert. Naive UTC datetimes and dates go to SQLite as the text SQLAlchemy writes.
    """
    connection = session.connection()
    dialect = connection.dialect
    compiled = model.__table__.insert().compile(dialect=dialect, column_keys=columns)
    sql = str(compiled)
    if dialect.name == "sqlite":
        order = [columns.index(name) for name in compiled.positiontup]

        def value(v):
            if isinstance(v, dt.datetime):
                return v.isoformat(" ", "microseconds")
            return v.isoformat() if isinstance(v, dt.date) else v

        def insert(rows: list[tuple]) -> None:
            connection.exec_driver_sql(sql, [tuple(value(row[i]) for i in order) for row in rows])
    else:

        def insert(rows: list[tuple]) -> None:
            connection.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in rows])

    return insert


def insert_with_ids(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert rows under reserved ids; returns the ids in the rows' order."""
    ids = dialects.reserve_ids(session, model, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    insert(session, model, rows)
    return ids


@contextlib.contextmanager
def big_cache(session: Session):
    """On SQLite, a page cache the indexes fit in: random index inserts stop reading pages."""
    if not dialects.is_sqlite(session):
        yield
        return
    previous = session.execute(sa.text("PRAGMA cache_size")).scalar()
    session.execute(sa.text(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(sa.text(f"PRAGMA cache_size = {int(previous)}"))
