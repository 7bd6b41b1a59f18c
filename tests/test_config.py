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
    monkeypatch.setenv("SHARETRACK_SECRET_KEY", "from-env" * 4)
    monkeypatch.setenv("SHARETRACK_SECRET_KEYS", f'["{"older-1" * 5}", "{"older-2" * 5}"]')
    monkeypatch.setenv("SHARETRACK_BASE_URL", "https://share.example.org/")
    monkeypatch.setenv("SHARETRACK_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/sharetrack")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env" * 4
    assert app.config["SECRET_KEYS"] == ["older-1" * 5, "older-2" * 5]
    assert app.config["BASE_URL"] == "https://share.example.org"
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
        "SECRET_KEY": "a-real-secret-of-at-least-32-bytes-long",
        "BASE_URL": "https://share.example.org",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
    }
    with pytest.raises(ConfigError, match="ARGON2_MEMORY_COST"):
        create_app(settings | {"ARGON2_MEMORY_COST": 1024})
    assert create_app(settings | {"ARGON2_MEMORY_COST": 1024, "TESTING": True}).testing


LONG_KEY = "k" * 32
PRODUCTION = {"SECRET_KEY": LONG_KEY, "BASE_URL": "https://share.example.org"}


@pytest.fixture
def production(monkeypatch, tmp_path):
    """create_app outside debug and tests, on a scratch database, with `settings` added."""
    for name in ("SHARETRACK_SECRET_KEY", "SHARETRACK_BASE_URL", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)

    def make(**settings):
        uri = f"sqlite:///{tmp_path}/x.db"
        return create_app({"SQLALCHEMY_DATABASE_URI": uri, **PRODUCTION, **settings})

    return make


def test_safe_production_settings_start(production):
    assert production(WEBHOOK_SECRET="w" * 24).config["BASE_URL"] == "https://share.example.org"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"SECRET_KEY": "x"}, "SECRET_KEY is shorter than 32 bytes"),
        ({"SECRET_KEY": "k" * 31}, "SECRET_KEY is shorter than 32 bytes"),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY is the example config's placeholder"),
        ({"SECRET_KEYS": ["old"]}, "SECRET_KEYS is shorter than 32 bytes"),
        ({"WEBHOOK_SECRET": "w" * 23}, "WEBHOOK_SECRET is shorter than 24 bytes"),
        ({"WEBHOOK_SECRET": "change-me-too"}, "WEBHOOK_SECRET is the example config's placeholder"),
        ({"WEBHOOK_SECRETS": ["short"]}, "WEBHOOK_SECRETS is shorter than 24 bytes"),
        ({"STRIPE_WEBHOOK_SECRET": "whsec_short"}, "STRIPE_WEBHOOK_SECRET is shorter than 24"),
        ({"BASE_URL": None}, "SHARETRACK_BASE_URL="),
        ({"BASE_URL": "share.example.org"}, "not an http"),
    ],
)
def test_unsafe_settings_are_refused_with_the_fix(production, settings, message):
    with pytest.raises(ConfigError, match=message) as refused:
        production(**settings)
    fixes = ("secrets.token_urlsafe", "BASE_URL", "Stripe's dashboard")
    assert any(fix in str(refused.value) for fix in fixes)


def test_a_real_stripe_signing_secret_starts(production):
    app = production(STRIPE_WEBHOOK_SECRET="whsec_" + "A1b2C3d4" * 4)
    assert app.config["STRIPE_WEBHOOK_SECRET"] == ["whsec_" + "A1b2C3d4" * 4]


def test_every_placeholder_of_the_example_config_is_refused():
    import ast

    from sharetrack import ROOT
    from sharetrack.config import PLACEHOLDERS

    tree = ast.parse((ROOT / "instance" / "config.example.py").read_text())
    source = (ROOT / "instance" / "config.example.py").read_text()
    commented = [line.lstrip("# ") for line in source.splitlines() if line.startswith("# ")]
    values = {
        node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value
    }
    for line in commented:
        if "SECRET" in line.split("=")[0] and "=" in line:
            values.add(ast.literal_eval(line.split("=", 1)[1].split("#")[0].strip()))
    secrets = {v for v in values if isinstance(v, str) and "change" in v}
    assert secrets and secrets <= PLACEHOLDERS


def test_debug_keeps_working_without_production_settings(production, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.debug and app.config["SECRET_KEY"]
