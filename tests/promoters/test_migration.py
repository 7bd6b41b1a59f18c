"""Migration 0006 on data: every promoter keeps their links; only those whose code never went
out in utm_content keep their old page address."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.orm import load_only

from sharetrack import create_app
from sharetrack.extensions import db
from sharetrack.models import Promoter
from sharetrack.promoters import identity
from sharetrack.services import services
from tests.conftest import pg_options, require_postgres

NOW = dt.datetime(2026, 11, 1, 12, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_app(request, tmp_path):
    """An app whose database is migrated to 0005 (the release before promoter keys)."""
    schema = None
    if request.param == "sqlite":
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"}
    else:
        url = require_postgres()
        schema = f"st_mig_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        config = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": pg_options(schema)}
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "BASE_URL": "https://st.example"} | config
    )
    with app.app_context():
        upgrade(revision="0005")
    yield app
    with app.app_context():
        db.engine.dispose()
    if schema:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _old_release_rows(conn) -> None:
    """What 0005's release leaves: three promoters, two of whose links were followed."""
    conn.execute(
        sa.text(
            "INSERT INTO campaigns (id, slug, title, landing_url, currency, target_minor,"
            " window_days, status, created_at) VALUES"
            " (1, 'case', 'Case', 'https://case.example/', 'GBP', 0, 30, 'active', :now)"
        ),
        {"now": NOW},
    )
    for pid, code in ((1, "qvyet"), (2, "c1ckd"), (3, "f01d")):
        conn.execute(
            sa.text(
                "INSERT INTO promoters (id, code, display_name, email, created_at)"
                " VALUES (:id, :code, NULL, NULL, :now)"
            ),
            {"id": pid, "code": code, "now": NOW},
        )
        conn.execute(
            sa.text(
                "INSERT INTO shares (id, campaign_id, promoter_id, channel, created_at)"
                " VALUES (:id, 1, :id, 'x', :now)"
            ),
            {"id": pid, "now": NOW},
        )
    conn.execute(
        sa.text(
            "INSERT INTO clicks (share_id, at, is_unique, is_bot, is_scan)"
            " VALUES (2, :now, true, false, false)"
        ),
        {"now": NOW},
    )
    conn.execute(
        sa.text(
            "INSERT INTO click_days (share_id, day, campaign_id, channel, clicks, unique_clicks,"
            " bot_clicks) VALUES (3, :day, 1, 'x', 1, 1, 0)"
        ),
        {"day": NOW.date()},
    )


def test_0006_keys_everyone_and_keeps_old_addresses_only_where_the_code_never_left(
    migrated_app,
):
    app = migrated_app
    tokens = services(app).tokens
    with app.app_context():
        with db.engine.begin() as conn:
            _old_release_rows(conn)
        upgrade(revision="0006")
        # Only the columns 0006 has: later revisions add more to the model.
        at_0006 = load_only(Promoter.id, Promoter.code, Promoter.legacy_key, Promoter.key_secret)
        query = sa.select(Promoter).options(at_0006).order_by(Promoter.id)
        promoters = db.session.scalars(query).all()
        assert [(p.code, p.legacy_key) for p in promoters] == [
            ("qvyet", True),
            ("c1ckd", False),
            ("f01d", False),
        ]
        assert all(len(p.key_secret) >= 20 for p in promoters)
        assert len({p.key_secret for p in promoters}) == 3
        keys = {p.code: identity.private_key(tokens, p) for p in promoters}
        db.session.commit()
        upgrade()  # the pages need the later revisions' columns too
    client = app.test_client()
    for code, key in keys.items():
        assert client.get(f"/p/{key}").status_code == 200  # everyone has a working key
        old = client.get(f"/p/{tokens.dashboard.dumps(code)}")
        assert old.status_code == (303 if code == "qvyet" else 404)
    with app.app_context():
        db.session.remove()
        downgrade(revision="0005")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("promoters")}
        assert "key_secret" not in columns and "email" in columns
