"""The built-in settings, one group per concern; every one can be overridden (config.load)."""

from __future__ import annotations

from pathlib import Path


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
        **_outbound_webhooks(),
    }


def _outbound_webhooks() -> dict:
    """Webhooks sharetrack sends (docs/webhooks.md)."""
    return {
        # Let endpoints resolve to loopback, private, link-local or metadata addresses: only for
        # tests or a receiver on the same private network.
        "WEBHOOK_ALLOW_PRIVATE": False,
        # Let endpoints be plain http:// (None: only in debug).
        "WEBHOOK_ALLOW_HTTP": None,
        # Seconds one delivery attempt may take, connecting and answering.
        "WEBHOOK_TIMEOUT": 10,
        # `flask purge` deletes deliveries delivered or given up longer ago than this.
        "WEBHOOK_LOG_DAYS": 30,
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
