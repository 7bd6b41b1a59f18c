"""The schema comes from migrations: upgrade from empty matches the models, on both engines."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from sharetrack import create_app
from sharetrack.extensions import db
from tests.conftest import pg_options, require_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path):
    if request.param == "sqlite":
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"}
        schema = None
    else:
        url = require_postgres()
        schema = f"st_mig_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        config = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": pg_options(schema)}
    app = create_app({"TESTING": True, "SECRET_KEY": "k", **config})
    yield app
    with app.app_context():
        db.engine.dispose()
    if schema:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()


def test_0007_moves_the_hashes_onto_the_clicks_and_back_keeping_every_figure(empty_app):
    """Open days keep their unique counts and the hashes that make a visitor seen; folded days
    keep their aggregates; the downgrade rebuilds is_unique and visitor_days."""
    import datetime as dt

    from sharetrack.models import Click, utcnow
    from sharetrack.reports import queries

    today = utcnow().date()
    noon = dt.datetime.combine(today, dt.time(0, 5))
    seen, other = b"\x01" * 16, b"\x02" * 16
    old_clicks = sa.table(
        "clicks",
        sa.column("share_id"),
        sa.column("at", sa.DateTime()),
        sa.column("is_unique", sa.Boolean()),
        sa.column("is_bot", sa.Boolean()),
        sa.column("is_scan", sa.Boolean()),
    )
    visitor_days = sa.table(
        "visitor_days",
        sa.column("share_id"),
        sa.column("day", sa.Date()),
        sa.column("visitor_hash", sa.LargeBinary()),
    )
    with empty_app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO campaigns (id, slug, title, landing_url, currency, target_minor,"
                    " window_days, status, created_at, attribution_model, pledge_page)"
                    " VALUES (1, 'c', 'C', 'https://x.example/', 'GBP', 0, 30, 'active',"
                    " :now, 'last_click', false)"
                ),
                {"now": noon},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO shares (id, campaign_id, channel, created_at)"
                    " VALUES (1, 1, 'facebook', :now)"
                ),
                {"now": noon},
            )
            rows = [  # a first visit, its repeat, a first visit with GPC, a bot; one yesterday
                (noon, True, False),
                (noon, False, False),
                (noon, True, False),
                (noon, False, True),
                (noon - dt.timedelta(days=1), True, False),
            ]
            conn.execute(
                old_clicks.insert(),
                [
                    {"share_id": 1, "at": at, "is_unique": u, "is_bot": b, "is_scan": False}
                    for at, u, b in rows
                ],
            )
            conn.execute(
                visitor_days.insert(),
                [
                    {"share_id": 1, "day": today, "visitor_hash": seen},
                    {"share_id": 1, "day": today - dt.timedelta(days=1), "visitor_hash": other},
                ],
            )
        upgrade()
        hashes = [c.visitor_hash for c in db.session.scalars(sa.select(Click).order_by(Click.id))]
        assert hashes[0] == seen and hashes[4] == other  # a visitor seen today stays seen
        assert hashes[1] is None and hashes[3] is None
        assert hashes[2] is not None and hashes[2] not in (seen, other)
        days = queries.clicks_by(db.session, 1, "day")
        assert (days[today].clicks, days[today].unique_clicks, days[today].bot_clicks) == (3, 2, 1)
        assert days[today - dt.timedelta(days=1)].unique_clicks == 1
        db.session.remove()

        downgrade(revision="0005")
        with db.engine.connect() as conn:
            flags = conn.execute(sa.select(old_clicks.c.is_unique).order_by(sa.text("id")))
            assert [bool(u) for (u,) in flags] == [True, False, True, False, True]
            kept = set(conn.scalars(sa.select(visitor_days.c.visitor_hash)))
            assert {seen, other} <= kept


def test_0011_gives_every_existing_key_every_scope_and_every_campaign(empty_app):
    """A key made before scopes existed keeps its full power (issue 24)."""
    from sharetrack.auth import api_keys
    from sharetrack.models import ApiKey, utcnow

    with empty_app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO api_keys (id, name, prefix, key_hash, created_at)"
                    " VALUES (1, 'old', 'abcd1234', :hash, :now)"
                ),
                {"hash": "0" * 64, "now": utcnow()},
            )
        upgrade()
        row = db.session.get(ApiKey, 1)
        assert row.scope_set == {"read", "write", "money", "admin"}
        assert api_keys.campaign_ids(db.session, row) is None
        db.session.remove()
