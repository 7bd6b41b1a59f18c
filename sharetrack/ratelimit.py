"""Per-client rate limits (Flask-Limiter), keyed so that no IP address is ever stored.

The limiter's key for a client is HMAC(secret of the day, the client's network): the IPv4
address, or the /64 of an IPv6 address (one household or phone; rotating inside it gains
nothing). The secret is random. With Redis storage it is kept in Redis for 48 hours with
SET NX, so every worker and instance sharing the limits agrees on it; with memory storage each
process makes its own. Counter keys expire with their window, so after 48 hours nothing in the
storage or in a log line (Flask-Limiter logs the key of a breach) can be tied to an address,
just as with the visitor hashes. See docs/adr/0702-rate-limit-keys.md.

A process serves one app: Flask-Limiter keeps its storage on the one `limiter` object, and
create_app re-binds it (tests build one app at a time; two instances are two processes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
import threading
import time

from flask import Flask, current_app, request
from limits import parse_many
from limits.storage import MemoryStorage, RedisStorage

from .config import ConfigError

log = logging.getLogger(__name__)

KEY_PREFIX = "sharetrack"
SECRET_TTL = 2 * 86400
# Every limit string in the configuration, checked at start-up so a typo never becomes a 500.
LIMIT_SETTINGS = (
    "RATELIMIT_SHARES",
    "RATELIMIT_REDIRECT",
    "RATELIMIT_LOGIN",
    "RATELIMIT_WEBHOOK",
    "RATELIMIT_SHARE_VALUE",
)
DEFAULT_RETRY_AFTER = 60
REDIS_TIMEOUT = 0.5  # seconds


def client_network(ip: str) -> str:
    """What a limit counts: the IPv4 address, or the /64 network of an IPv6 address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_digest(secret: bytes, ip: str) -> str:
    """The limiter key of a client under one day's secret: no address, just 128 bits."""
    return hmac.new(secret, client_network(ip).encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """Flask-Limiter's key function: this request's client (after ProxyFix), hashed."""
    return client_digest(_secret_of_the_day(), request.remote_addr or "")


def _secret_of_the_day() -> bytes:
    """Today's random secret: shared through Redis when the limits are, else this process's."""
    from .extensions import limiter

    day = dt.datetime.now(dt.UTC).date().isoformat()
    cache: dict = current_app.extensions["sharetrack.ratelimit_secret"]
    secret = cache.get(day)
    if secret is not None:
        return secret
    secret = secrets.token_bytes(32)
    storage = limiter.storage
    if isinstance(storage, RedisStorage):
        connection = storage.get_connection()
        name = storage.prefixed_key(f"{KEY_PREFIX}/secret/{day}")
        connection.set(name, secret, nx=True, ex=SECRET_TTL)
        secret = connection.get(name) or secret
    cache.clear()
    cache[day] = secret
    return secret


def limited(setting: str, **options):
    """Decorator: limit a view per client by the limit string in config[setting].

    For example `@limited("RATELIMIT_LOGIN", methods=["POST"])` on the staff sign-in view.
    Past the limit the app's error handlers answer 429 (problem details under /api/, else the
    error page) with this detail, and `Retry-After` is added on the way out.
    """
    from .extensions import limiter

    def detail() -> str:
        limit = current_app.config[setting].replace(";", ", ")
        return f"Too many requests from your network ({limit}); try again in {retry_after()} s."

    return limiter.limit(lambda: current_app.config[setting], error_message=detail, **options)


def allow_click(scope: str = "links.follow") -> bool:
    """Count one redirect against the client's RATELIMIT_REDIRECT; False once it is spent.

    The caller still redirects when this says False, it just does not record the click. With
    the limits off or their storage down, every click counts (and the failure is logged).
    """
    from .extensions import limiter

    if not (limiter.enabled and limiter.initialized):
        return True
    try:
        key = client_key()
        items = parse_many(current_app.config["RATELIMIT_REDIRECT"])
        return all(limiter.limiter.hit(item, KEY_PREFIX, key, scope) for item in items)
    except Exception:  # storage down: never strand a visitor, never lose the click
        log.exception("redirect rate limit not checked")
        return True


def retry_after() -> int:
    """Seconds until the limit this request broke lets the client in again (at least 1)."""
    from .extensions import limiter

    try:
        current = limiter.current_limit
        if current is None:
            return DEFAULT_RETRY_AFTER
        return max(1, math.ceil(current.window[0] - time.time()))
    except Exception:  # the storage went away between the breach and the answer
        log.exception("rate limit reset time not read")
        return DEFAULT_RETRY_AFTER


def init_app(app: Flask) -> None:
    """Check the limit strings and bind the limiter to this app."""
    from .extensions import limiter

    for setting in LIMIT_SETTINGS:
        try:
            parse_many(app.config[setting])
        except (TypeError, ValueError):
            raise ConfigError(
                f"{setting}={app.config[setting]!r} is not a rate limit; "
                "write it like '30/minute' or '10/minute;50/hour'."
            ) from None
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(("redis", "rediss")):
        # A Redis that stops answering must not hold requests: give up fast and let them pass.
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_connect_timeout": REDIS_TIMEOUT,
            "socket_timeout": REDIS_TIMEOUT,
            **app.config["RATELIMIT_STORAGE_OPTIONS"],
        }
    app.extensions["sharetrack.ratelimit_secret"] = {}
    limiter.init_app(app)
    serialise_expiry_timer(limiter.storage)
    if _counts_its_own_clicks not in limiter._request_filters:  # one limiter, many test apps
        limiter.request_filter(_counts_its_own_clicks)
    app.after_request(_retry_after_header)


def serialise_expiry_timer(storage) -> None:
    """Make limits' MemoryStorage safe for a threaded worker (gunicorn gthread, `flask run`).

    On every hit MemoryStorage restarts its 10 ms expiry Timer when it is not alive, without a
    lock: two request threads can both find it dead, both assign a new Timer and both start
    the one assigned last, so one raises "threads can only be started once" (or the interpreter
    prints a KeyError from the thread's bootstrap). With swallow_errors that hit goes
    uncounted and a traceback lands in the log; the redirect's own check would drop the click.
    Serialising the restart removes the race; tests/test_ratelimit.py widens the window to
    prove it. Storage classes without that method (Redis, or a limits that fixed it) are left
    alone.
    """
    if not isinstance(storage, MemoryStorage):
        return
    restart = getattr(storage, "_MemoryStorage__schedule_expiry", None)
    if restart is None or getattr(restart, "serialised", False):
        return
    lock = threading.Lock()

    def locked_restart() -> None:
        with lock:
            restart()

    locked_restart.serialised = True  # type: ignore[attr-defined]
    storage._MemoryStorage__schedule_expiry = locked_restart


# The redirect checks RATELIMIT_REDIRECT itself (allow_click: over the limit it still
# redirects, just uncounted), so Flask-Limiter's per-request pass has nothing to do there;
# skipping it keeps ~50 µs off the service's hottest path.
SELF_LIMITED_ENDPOINTS = frozenset({"links.follow", "links.follow_scan"})


def _counts_its_own_clicks() -> bool:
    return request.endpoint in SELF_LIMITED_ENDPOINTS


def _retry_after_header(response):
    """Every 429 says when to come back."""
    if response.status_code == 429:
        response.headers.setdefault("Retry-After", str(retry_after()))
    return response
