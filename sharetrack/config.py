"""Configuration defaults and the loading order: defaults → instance/config.py → environment."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy.engine import make_url

from .defaults import defaults

HOW_TO_SET_KEY = (
    "sharetrack refuses to start without a secret key outside debug and testing.\n"
    "Set one, for example:\n"
    "    export SHARETRACK_SECRET_KEY=\"$(python3 -c 'import secrets; "
    "print(secrets.token_urlsafe(48))')\"\n"
    "or put SECRET_KEY = '...' in instance/config.py (see instance/config.example.py)."
)


# OWASP's least Argon2id memory for passwords (19 MiB); only tests may go below it.
MIN_ARGON2_MEMORY_KIB = 19 * 1024
# Every placeholder value of instance/config.example.py: a copied example must not run.
PLACEHOLDERS = frozenset({"change-me", "change-me-too", "insecure-development-key"})
MIN_SECRET_KEY_BYTES = 32
MIN_WEBHOOK_SECRET_BYTES = 24
HOW_TO_MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"  # noqa: S105 - a command, not a secret


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def load(app: Flask, overrides: dict | None = None) -> None:
    """Fill app.config in order; refuse to run without a secret outside debug and tests."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SHARETRACK")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if overrides:
        app.config.from_mapping(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config["SECRET_KEYS"] = _key_list(app.config["SECRET_KEYS"])
    app.config["WEBHOOK_SECRETS"] = _key_list(app.config["WEBHOOK_SECRETS"])
    app.config["STRIPE_WEBHOOK_SECRET"] = _key_list(app.config["STRIPE_WEBHOOK_SECRET"])
    app.config["NOTES_KEYS"] = _key_list(app.config["NOTES_KEYS"])
    _check_notes(app.config)
    if not app.config["SECRET_KEY"]:
        if app.debug or app.testing:
            # Debug and tests only: a fixed, obviously unsafe key so sessions survive reloads.
            app.config["SECRET_KEY"] = "insecure-development-key"  # noqa: S105
        else:
            raise ConfigError(HOW_TO_SET_KEY)
    if not app.testing and int(app.config["ARGON2_MEMORY_COST"]) < MIN_ARGON2_MEMORY_KIB:
        raise ConfigError(
            f"ARGON2_MEMORY_COST is {app.config['ARGON2_MEMORY_COST']} KiB: staff passwords need "
            f"at least {MIN_ARGON2_MEMORY_KIB} outside tests (unset it for the default)."
        )
    if app.config["MAIL_SERVER"] and not app.config["MAIL_DEFAULT_SENDER"]:
        raise ConfigError(
            "SHARETRACK_MAIL_SERVER is set but SHARETRACK_MAIL_DEFAULT_SENDER is not: "
            "set the address emails come from, e.g. sharetrack@example.org."
        )
    if not (app.debug or app.testing):
        refuse_unsafe(app.config)
    if app.config["BASE_URL"]:
        app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")
    if app.config["COOKIE_SECURE"] is None:
        app.config["COOKIE_SECURE"] = not (app.debug or app.testing)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["COOKIE_SECURE"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)


def refuse_unsafe(config) -> None:
    """Raise ConfigError, saying how to fix it, for settings that production must not run with."""
    problems = []
    for name, keys in (
        ("SECRET_KEY", [config["SECRET_KEY"]]),
        ("SECRET_KEYS", config["SECRET_KEYS"]),
    ):
        problems += _weak(name, keys, MIN_SECRET_KEY_BYTES)
    webhook = [config["WEBHOOK_SECRET"]] if config.get("WEBHOOK_SECRET") else []
    problems += _weak("WEBHOOK_SECRET", webhook, MIN_WEBHOOK_SECRET_BYTES)
    problems += _weak("WEBHOOK_SECRETS", config["WEBHOOK_SECRETS"], MIN_WEBHOOK_SECRET_BYTES)
    problems += _weak(
        "STRIPE_WEBHOOK_SECRET",
        config.get("STRIPE_WEBHOOK_SECRET") or [],
        MIN_WEBHOOK_SECRET_BYTES,
        "copy the endpoint's signing secret (whsec_…) from Stripe's dashboard or `stripe listen`.",
    )
    metrics = [config["METRICS_TOKEN"]] if config.get("METRICS_TOKEN") else []
    problems += _weak("METRICS_TOKEN", metrics, MIN_WEBHOOK_SECRET_BYTES)
    base = config.get("BASE_URL")
    if not base:
        problems.append(
            "BASE_URL is not set: links, QR codes and emails would take their address from the "
            "request's Host header. Set SHARETRACK_BASE_URL=https://share.example.org "
            "(your public origin)."
        )
    elif urlsplit(str(base)).scheme not in ("http", "https") or not urlsplit(str(base)).netloc:
        problems.append(
            f"BASE_URL {base!r} is not an http(s) origin such as https://share.example.org."
        )
    if problems:
        raise ConfigError(
            "sharetrack refuses to start with unsafe settings (outside debug and tests):\n  - "
            + "\n  - ".join(problems)
        )


def _weak(name: str, keys, min_bytes: int, fix: str = "") -> list[str]:
    """What is wrong with each key of setting `name`: a placeholder or too short. `fix` says
    where a good one comes from (by default: make a random one)."""
    out = []
    for key in keys:
        if str(key) in PLACEHOLDERS:
            out.append(
                f"{name} is the example config's placeholder {str(key)!r}; "
                + (fix or f"replace it with a random value: {HOW_TO_MAKE_SECRET}")
            )
        elif len(str(key).encode()) < min_bytes:
            out.append(
                f"{name} is shorter than {min_bytes} bytes; "
                + (fix or f"make a long random one: {HOW_TO_MAKE_SECRET}")
            )
    return out


def _key_list(keys) -> list[str]:
    """A list of keys from a list or a comma-separated string."""
    if isinstance(keys, str):
        keys = keys.split(",")
    return [str(k).strip() for k in keys if str(k).strip()]


def _check_notes(config) -> None:
    """Refuse keys that are not Fernet keys, and notes switched on without a key."""
    from cryptography.fernet import Fernet

    for key in config["NOTES_KEYS"]:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                "a NOTES_KEYS key is not a Fernet key (32 url-safe base64-encoded bytes); make "
                "one: python3 -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from None
    if _flag(config["NOTES_ENABLED"]) and not config["NOTES_KEYS"]:
        raise ConfigError(
            "NOTES_ENABLED is on but NOTES_KEYS is empty: the addresses of promoters who ask "
            "for notes are kept encrypted with it. Set SHARETRACK_NOTES_KEYS (see README)."
        )


def _flag(value) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


def notes_enabled(config) -> bool:
    """Whether promoters may ask for notes: switched on, with a key and a mail server."""
    return (
        _flag(config.get("NOTES_ENABLED"))
        and bool(config.get("NOTES_KEYS"))
        and (mail_enabled(config))
    )


def mail_enabled(config) -> bool:
    """Whether a mail server is configured (else no email is sent or asked for)."""
    return bool(config.get("MAIL_SERVER"))


def webhook_secrets(config) -> list[str]:
    """Every webhook secret that verifies a delivery: the current one first."""
    current = config.get("WEBHOOK_SECRET")
    return ([str(current)] if current else []) + list(config.get("WEBHOOK_SECRETS") or [])


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(config: dict) -> dict:
    """Engine options per backend: SQLite gets a busy timeout (WAL is set per connection)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("timeout", 15)
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
        if url.startswith("postgresql"):
            connect_args = dict(options.get("connect_args", {}))
            connect_args.setdefault("connect_timeout", int(config.get("DB_CONNECT_TIMEOUT", 3)))
            timeout = int(config.get("DB_STATEMENT_TIMEOUT_MS", 30000))
            # connect_args' options replace those of the URL (?options=...): keep both.
            options_arg = connect_args.get("options") or make_url(url).query.get("options", "")
            if timeout > 0 and "statement_timeout" not in options_arg:
                options_arg = f"{options_arg} -c statement_timeout={timeout}".strip()
            if options_arg:
                connect_args["options"] = options_arg
            options["connect_args"] = connect_args
    return options
