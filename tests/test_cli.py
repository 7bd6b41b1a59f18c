"""The CLI: keys, demo data, salts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sharetrack.auth import api_keys
from sharetrack.extensions import db
from sharetrack.models import ApiKey, Campaign, Click, DailySalt, utcnow
from tests.conftest import BOTH_ENGINES, click_rows


@pytest.mark.parametrize("command", ["create-api-key", "demo", "rotate-salt", "purge"])
def test_every_command_has_help(runner, command):
    result = runner.invoke(args=[command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_create_api_key_prints_only_the_key(app, runner):
    result = runner.invoke(args=["create-api-key", "newsroom"])
    assert result.exit_code == 0
    key = result.output.strip()
    assert result.output == key + "\n" and key.startswith("st_")
    with app.app_context():
        row = api_keys.verify(db.session, key)
        assert row is not None and row.name == "newsroom"
        assert key not in row.key_hash


@BOTH_ENGINES
def test_demo_loads_once_and_prints_a_working_link(app, runner, client, engine_name):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "loaded the demo campaign" in first.output
    second = runner.invoke(args=["demo"])
    assert "loaded" not in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 1
        live = db.session.scalars(sa.select(ApiKey).where(ApiKey.revoked_at.is_(None))).all()
    key = second.output.split("staff API key: ")[1].split()[0]
    assert [k.name for k in live] == ["demo (make run)"]
    assert (
        client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {key}"}).status_code
        == 200
    )
    link = second.output.split("share link:")[1].split()[0]
    path = link.removeprefix("http://127.0.0.1:5000")
    assert client.get(path, headers={"User-Agent": "Mozilla/5.0"}).status_code == 302


@BOTH_ENGINES
def test_purge_deletes_salts_and_hashes_older_than_48_hours(app, runner, make_share, engine_name):
    share, _ = make_share()
    today = utcnow().date()
    with app.app_context():
        for age in range(4):
            day = today - dt.timedelta(days=age)
            db.session.add(DailySalt(day=day, salt=bytes(32)))
            at = dt.datetime.combine(day, dt.time(0, 1))
            db.session.execute(sa.insert(Click), click_rows(share.id, at, unique=True))
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0
    assert "deleted 2 salt(s) and 2 visitor hash(es)" in result.output
    with app.app_context():
        days = sorted(db.session.scalars(sa.select(DailySalt.day)))
        assert days == [today - dt.timedelta(days=1), today]
        hashed = sa.select(sa.func.count()).where(Click.visitor_hash.is_not(None))
        assert db.session.scalar(hashed) == 2


def test_rotate_salt_makes_todays_salt(app, runner):
    result = runner.invoke(args=["rotate-salt"])
    assert result.exit_code == 0
    with app.app_context():
        assert list(db.session.scalars(sa.select(DailySalt.day))) == [utcnow().date()]


def test_first_click_of_a_new_day_purges_old_salts(app, client, make_share):
    _, token = make_share()
    with app.app_context():
        db.session.add(DailySalt(day=utcnow().date() - dt.timedelta(days=3), salt=bytes(32)))
        db.session.commit()
    client.get(f"/s/{token}", headers={"User-Agent": "Mozilla/5.0"})
    with app.app_context():
        assert list(db.session.scalars(sa.select(DailySalt.day))) == [utcnow().date()]
