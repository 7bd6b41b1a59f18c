"""Configuration order and the refusal to run without a secret."""

from __future__ import annotations

import pytest

from sharetrack import create_app
from sharetrack.config import ConfigError, normalise_database_url
from sharetrack.services import services


def test_refuses_to_start_without_a_secret_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("SHARETRACK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SHARETRACK_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SHARETRACK_SECRET_KEY", "from-env")
    monkeypatch.setenv("SHARETRACK_SECRET_KEYS", '["older-1", "older-2"]')
    monkeypatch.setenv("SHARETRACK_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/sharetrack")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SECRET_KEYS"] == ["older-1", "older-2"]
    assert app.config["TRUSTED_PROXIES"] == 2
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/sharetrack"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # not debug, not testing


def test_comma_separated_older_keys_verify_old_links(monkeypatch, tmp_path):
    uri = f"sqlite:///{tmp_path}/x.db"
    old = create_app({"TESTING": True, "SECRET_KEY": "old", "SQLALCHEMY_DATABASE_URI": uri})
    token = services(old).tokens.share_token(7)
    monkeypatch.setenv("SHARETRACK_SECRET_KEYS", "old, older")
    new = create_app({"TESTING": True, "SECRET_KEY": "new", "SQLALCHEMY_DATABASE_URI": uri})
    assert new.config["SECRET_KEYS"] == ["old", "older"]
    assert services(new).tokens.share_id(token) == 7


def test_sqlite_runs_with_wal_and_a_busy_timeout(app, ctx):
    from sharetrack.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-only pragmas")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql+psycopg://a@b/c", "postgresql+psycopg://a@b/c"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_cheap_password_hashing_is_refused_outside_tests(tmp_path):
    settings = {
        "SECRET_KEY": "a-real-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
    }
    with pytest.raises(ConfigError, match="ARGON2_MEMORY_COST"):
        create_app(settings | {"ARGON2_MEMORY_COST": 1024})
    assert create_app(settings | {"ARGON2_MEMORY_COST": 1024, "TESTING": True}).testing
