"""The dialect helpers (sharetrack/dialects.py) do the same thing on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack import dialects
from sharetrack.extensions import db
from sharetrack.models import DailySalt, ImportFile
from tests.conftest import BOTH_ENGINES

DAY = dt.date(2024, 3, 1)


def salt_row(salt: bytes, created_at: dt.datetime | None = None) -> dict:
    return {"day": DAY, "salt": salt, "created_at": created_at or dt.datetime(2024, 3, 1, 9)}


@BOTH_ENGINES
def test_the_engine_is_named(ctx, engine_name):
    assert dialects.name(db.session) == engine_name
    assert dialects.name(db.engine) == engine_name
    assert dialects.is_sqlite(db.session.connection()) is (engine_name == "sqlite")


@BOTH_ENGINES
def test_insert_ignore_keeps_the_first_row_and_says_whether_it_inserted(ctx):
    first = dialects.insert_ignore(db.session, DailySalt, salt_row(b"a" * 32), DailySalt.salt)
    again = dialects.insert_ignore(db.session, DailySalt, salt_row(b"b" * 32), DailySalt.salt)
    assert first.scalar() == b"a" * 32
    assert again.scalar() is None  # ignored: no row comes back, no IntegrityError
    assert db.session.scalars(sa.select(DailySalt.salt)).all() == [b"a" * 32]


@BOTH_ENGINES
def test_insert_ignore_takes_a_core_connection(app):
    with app.app_context(), db.engine.begin() as conn:
        for salt in (b"a" * 32, b"b" * 32):
            dialects.insert_ignore(conn, DailySalt.__table__, salt_row(salt))
        assert conn.scalars(sa.select(DailySalt.salt)).all() == [b"a" * 32]


@BOTH_ENGINES
def test_insert_takes_an_upsert(ctx):
    for salt in (b"a" * 32, b"b" * 32):
        statement = dialects.insert(db.session, DailySalt).values(salt_row(salt))
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[DailySalt.day], set_={"salt": statement.excluded.salt}
            )
        )
    assert db.session.scalars(sa.select(DailySalt.salt)).all() == [b"b" * 32]


@BOTH_ENGINES
def test_date_of_reads_back_a_date_on_either_engine(ctx):
    late = dt.datetime(2024, 3, 1, 23, 59, 59, 999999)
    dialects.insert_ignore(db.session, DailySalt, salt_row(b"a" * 32, created_at=late))
    day = dialects.date_of(DailySalt.created_at)
    rows = db.session.execute(sa.select(day, sa.func.count()).group_by(day)).all()
    assert rows == [(DAY, 1)]
    assert type(rows[0][0]) is dt.date  # not SQLite's text, not a datetime


@BOTH_ENGINES
def test_reserved_ids_are_new_and_take_the_rows(ctx):
    now = dt.datetime(2024, 3, 1, 9)
    db.session.add(ImportFile(sha256="0" * 64, lines=1, imported_at=now))
    db.session.flush()
    ids = dialects.reserve_ids(db.session, ImportFile, 3)
    assert len(set(ids)) == 3
    assert min(ids) > db.session.scalar(sa.select(sa.func.max(ImportFile.id)))
    db.session.execute(
        ImportFile.__table__.insert(),
        [{"id": i, "sha256": f"{i:064d}", "lines": 1, "imported_at": now} for i in ids],
    )
    later = dialects.reserve_ids(db.session, ImportFile, 2)
    assert min(later) > max(ids)
    assert dialects.reserve_ids(db.session, ImportFile, 0) == []
