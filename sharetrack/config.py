"""Configuration defaults and the loading order: defaults → instance/config.py → environment."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy.engine import make_url

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


def defaults(instance_path: str) -> dict:
    """The built-in defaults; every one can be overridden. One group per concern, below."""
    return {
        **_secrets(),
        **_database(instance_path),
        **_web(),
        **_payments(),
        **_rate_limits(),
        **_mail(),
        **_queue(),
        **_notes(),
        **_caching(instance_path),
    }


def _secrets() -> dict:
    """Keys and secrets (every one unset: production sets them), and staff password hashing."""
    return {
        "SECRET_KEY": None,
        # Older keys, newest first after SECRET_KEY; they still verify but never sign.
        "SECRET_KEYS": [],
        # Signs pledge webhooks (POST /api/v1/pledges); shared with the platform taking money.
        "WEBHOOK_SECRET": None,
        # Older webhook secrets still accepted while the platform rotates to the new one.
        "WEBHOOK_SECRETS": [],
        # GET /metrics answers only `Authorization: Bearer <this>`; unset, it is a 404.
        "METRICS_TOKEN": None,
        # Argon2id cost of staff password hashes: RFC 9106's low-memory profile (memory in KiB).
        # The suite lowers them so signing in is cheap; outside tests memory has a floor.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 64 * 1024,
        "ARGON2_PARALLELISM": 4,
    }


def _database(instance_path: str) -> dict:
    """The database, how long to wait for it, and how long raw clicks are kept."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "sharetrack.db"),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # PostgreSQL: give up connecting after this many seconds, and cancel a statement after
        # this many milliseconds, so a database outage answers 503 quickly instead of hanging.
        "DB_CONNECT_TIMEOUT": 3,
        "DB_STATEMENT_TIMEOUT_MS": 30000,
        # `purge` deletes raw clicks older than this, once folded into daily aggregates.
        "CLICK_RETENTION_DAYS": 400,
    }


def _web() -> dict:
    """The site: its public origin, proxies, request limits, cookies, sessions and pages."""
    return {
        # Public origin of every link, QR code and email (e.g. https://share.example.org).
        # Required outside debug and tests; only there does the request's host stand in.
        "BASE_URL": None,
        # How many proxies in front of the app may set X-Forwarded-For/-Proto/-Host.
        "TRUSTED_PROXIES": 0,
        # Bodies larger than this are refused with 413 before they are parsed.
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # Touch cookie: at most this many recent shares are remembered.
        "TOUCH_COOKIE_MAX": 10,
        "COOKIE_SECURE": None,  # None: Secure outside debug
        # Babel locale of the pages: money, numbers and dates.
        "LOCALE": "en_GB",
        # A staff sign-in lasts this long; form tokens (CSRF) as long, so a slow edit still saves.
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "JSON_SORT_KEYS": False,
        # Strict-Transport-Security max-age, sent outside debug and tests; 0 turns it off.
        "HSTS_SECONDS": 365 * 86400,
    }


def _payments() -> dict:
    """Stripe (docs/payments.md)."""
    return {
        # The endpoint secrets ("whsec_…") that sign POST /api/v1/webhooks/stripe: one, or a
        # JSON list while Stripe rolls the secret.
        "STRIPE_WEBHOOK_SECRET": [],
        # Set: the hosted pledge form sends supporters to Stripe Checkout to pay.
        "STRIPE_SECRET_KEY": None,
        # Where the SDK sends API calls (None: Stripe's); tests point it at a local recorder.
        "STRIPE_API_BASE": None,
        # The origin of Stripe's Checkout pages: the one place the pledge form may redirect to.
        "STRIPE_CHECKOUT_ORIGIN": "https://checkout.stripe.com",
    }


def _rate_limits() -> dict:
    """Rate limits per client (sharetrack/ratelimit.py)."""
    return {
        # Memory storage counts per worker; with several workers or instances use
        # redis://host:6379/0 so they share one count.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {},
        # POST /api/v1/shares, /c/<slug>/share and /embed/<slug>/share
        "RATELIMIT_SHARES": "30/minute",
        "RATELIMIT_PLEDGE_FORM": "10/minute",  # POST /c/<slug>/pledge, the hosted pledge form
        # GET /s/<token>: past it the visitor is still redirected, the click is not counted.
        "RATELIMIT_REDIRECT": "120/minute",
        "RATELIMIT_LOGIN": "10/minute;50/hour",  # staff sign-in attempts (POST)
        "RATELIMIT_WEBHOOK": "600/minute",  # pledge webhook deliveries
        "RATELIMIT_SHARE_VALUE": "120/minute",  # GET /api/v1/campaigns/<slug>/share-value
        "RATELIMIT_QR": "60/minute",  # GET /s/<token>/qr.png and qr.svg (a render costs CPU)
        # GET /c/<slug>/card.png, the social card: cached, yet a flood must not take the workers.
        "RATELIMIT_CARD": "60/minute",
        # Asking for one's page address again (POST /api/v1/promoters/recover, /p/recover).
        "RATELIMIT_RECOVER": "5/minute;20/hour",
        # Emails to one address (recovery and "email me my page"), whoever asks.
        "RATELIMIT_EMAIL_ADDRESS": "3/hour",
    }


def _mail() -> dict:
    """Email through SMTP (Flask-Mailman): promoters' page addresses."""
    return {
        # No server: no email, and every email field is hidden. SHARETRACK_MAIL_SERVER, _PORT,
        # _USERNAME, _PASSWORD, _USE_TLS, _DEFAULT_SENDER set them.
        "MAIL_SERVER": None,
        "MAIL_PORT": 587,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_USE_TLS": True,
        "MAIL_DEFAULT_SENDER": None,
        "MAIL_TIMEOUT": 10,  # seconds: a stuck mail server must not hold a worker for long
        "MAIL_BACKEND": "smtp",  # also in tests: they talk to a real SMTP server
    }


def _queue() -> dict:
    """The task queue (sharetrack/queue.py, ADR 2401) and its worker, `flask worker`."""
    return {
        # Unset: an SQLite file under instance/ (queue.db), for one machine. With web workers
        # on several machines, redis://host:6379/1, which they and the worker all reach.
        "QUEUE_URL": None,
        # The queue's name in its storage: sites sharing one Redis or database each need one.
        "QUEUE_NAME": "sharetrack",
        "QUEUE_WORKERS": 2,  # threads of `flask worker` running jobs
        # An idle worker looks for new jobs at most this many seconds apart (SQLite, PostgreSQL).
        "QUEUE_POLL_SECONDS": 1.0,
    }


def _notes() -> dict:
    """Notes to promoters who ask for them (promoters/notes.py, docs/privacy.md)."""
    return {
        # On: promoters may ask for a note (at most daily) of what their links raised. Needs
        # mail and NOTES_KEYS; sharetrack refuses to start with it on and no key.
        "NOTES_ENABLED": False,
        # Fernet keys (newest first, comma-separated) encrypting the kept addresses. Make one:
        # python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'
        "NOTES_KEYS": [],
        # The address is deleted this many days after the promoter's last campaign ends.
        "NOTES_RETENTION_DAYS": 30,
    }


def _caching(instance_path: str) -> dict:
    """How long figures may be served from a cache, and the cache the workers share."""
    return {
        # The cache every worker shares (sharetrack/cache.py, ADR 0801): the social cards drawn.
        # Unset: Redis at CACHE_REDIS_URL, else at RATELIMIT_STORAGE_URI when that is Redis,
        # else files under CACHE_DIR (every worker of one machine reads the same files).
        "CACHE_TYPE": None,
        "CACHE_REDIS_URL": None,
        "CACHE_DIR": str(Path(instance_path) / "cache"),
        "CACHE_THRESHOLD": 1000,  # FileSystemCache: most files kept before it prunes
        # Share-value figures: how long clients may cache them, and how long a worker keeps
        # serving its figures after the data changed before it computes them again.
        "SHARE_VALUE_MAX_AGE": 300,
        "SHARE_VALUE_REFRESH_SECONDS": 60,
    }


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
