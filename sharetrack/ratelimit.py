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
import re
import secrets
import threading
import time
from functools import lru_cache

from flask import Flask, abort, current_app, g, request
from flask_limiter import Limiter
from limits import parse_many
from limits.storage import RedisStorage, Storage

from .config import ConfigError
from .services import services

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
    "RATELIMIT_QR",
    "RATELIMIT_CARD",
    "RATELIMIT_RECOVER",
    "RATELIMIT_EMAIL_ADDRESS",
    "RATELIMIT_PLEDGE_FORM",
)
DEFAULT_RETRY_AFTER = 60
REDIS_TIMEOUT = 0.5  # seconds
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")  # fullmatch: no trailing newline


def client_network(ip: str) -> str:
    """What a limit counts: the IPv4 address, or the /64 network of an IPv6 address."""
    if _IPV4.fullmatch(ip):  # already as ipaddress writes it: no leading zeros, four parts
        return ip
    return _network_by_ipaddress(ip)


def _network_by_ipaddress(ip: str) -> str:
    """client_network read by ipaddress alone: any spelling of either family."""
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
    return hmac.digest(secret, client_network(ip).encode(), hashlib.sha256).hex()[:32]


def client_key() -> str:
    """Flask-Limiter's key function: this request's client (after ProxyFix), hashed."""
    return client_digest(_secret_of_the_day(), request.remote_addr or "")


def _secret_of_the_day(app: Flask | None = None) -> bytes:
    """Today's random secret: shared through Redis when the limits are, else this process's."""
    day = dt.datetime.now(dt.UTC).date().isoformat()
    cache = services(app).ratelimit_secrets
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

    def detail() -> str:
        limit = current_app.config[setting].replace(";", ", ")
        return f"Too many requests from your network ({limit}); try again in {retry_after()} s."

    return limiter.limit(lambda: current_app.config[setting], error_message=detail, **options)


def spend(setting: str, ip: str, scope: str, app: Flask | None = None) -> int | None:
    """Count one hit from address `ip` against config[setting] in `scope`, by hand.

    None if it is allowed, else the seconds until it would be. For views that count only some
    of their requests (the redirect counts clicks, QR images count renders). With the limits
    off or their storage down everything is allowed (and the failure logged). Needs an app
    context, or the `app` (the redirect in front of Flask has no context).
    """
    return _spend(setting, lambda: client_digest(_secret_of_the_day(app), ip), scope, app)


def spend_on(setting: str, value: str, scope: str) -> int | None:
    """As spend(), counting per `value` (an email hash, say) rather than per client.

    The counter key is HMAC(secret of the day, value), so it ends with the day's secret too.
    """
    return _spend(setting, lambda: _day_digest(value), scope)


def limit_per(setting: str, value: str, scope: str, what: str) -> None:
    """Count one hit for `value` (spend_on); past config[setting], a 429 with Retry-After."""
    wait = spend_on(setting, value, scope)
    if wait is not None:
        g.sharetrack_retry_after = wait
        abort(429, description=f"Too many {what}; try again in {wait} s.")


def _day_digest(value: str) -> str:
    return hmac.new(_secret_of_the_day(), value.encode(), hashlib.sha256).hexdigest()[:32]


def _spend(setting: str, make_key, scope: str, app: Flask | None = None) -> int | None:
    if not (limiter.enabled and limiter.initialized):
        return None
    try:
        key = make_key()
        for item in _limits((app or current_app).config[setting]):
            if not limiter.limiter.hit(item, KEY_PREFIX, key, scope):
                stats = limiter.limiter.get_window_stats(item, KEY_PREFIX, key, scope)
                return max(1, math.ceil(stats.reset_time - time.time()))
        return None
    except Exception:  # storage down: never strand a visitor, never lose the click
        log.exception("rate limit %s not checked", setting)
        return None


def allow_click(app: Flask, ip: str, scope: str = "links.follow") -> bool:
    """Count one redirect from address `ip` against RATELIMIT_REDIRECT; False once it is spent.

    The caller still redirects when this says False, it just does not record the click.
    """
    return spend("RATELIMIT_REDIRECT", ip, scope, app) is None


@lru_cache(maxsize=16)
def _limits(text: str) -> tuple:
    return tuple(parse_many(text))


def retry_after() -> int:
    """Seconds until the limit this request broke lets the client in again (at least 1)."""
    counted_by_hand = g.get("sharetrack_retry_after")  # set by views that use spend()
    if counted_by_hand:
        return int(counted_by_hand)
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
    limiter.init_app(app)
    _skip_pass_where_nothing_is_limited(app)
    app.after_request(_retry_after_header)


SWEEP_EVERY = 1.0  # seconds between sweeps of expired counters in the memory storage


class SweptMemoryStorage(Storage):
    """Fixed-window counters in this process's memory, through limits' public Storage interface.

    limits' own MemoryStorage restarts a 10 ms Timer thread on every hit (when the last one has
    died) to drop expired counters. That costs a thread start every few requests on the
    redirect, and the restart takes no lock: two request threads (gunicorn gthread, `flask run`)
    can start the same Timer, and one raises "threads can only be started once" — an uncounted
    hit and a traceback in the log. Expiry does not need a thread: a counter past its window
    reads as zero, and the hitting thread sweeps the expired ones away (they would otherwise
    be kept for clients never seen again), at most once per `every` seconds. Only the fixed
    window is served, the one strategy the limiter uses.

    limits finds a storage by its URI's scheme in the registry every Storage subclass joins
    through STORAGE_SCHEME (its documented way to add a storage). This class takes "memory":
    RATELIMIT_STORAGE_URI=memory:// (the default, which deploy/gunicorn.conf.py checks for)
    gets it once this module is imported, as create_app does before the limiter starts.
    """

    STORAGE_SCHEME = ["memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        every = float(options.pop("sweep_every", SWEEP_EVERY))
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.every = every
        self.counters: dict[str, tuple[int, float]] = {}  # key: (hits, end of its window)
        self._lock = threading.Lock()
        self._due = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            if now >= self._due:
                self._due = now + self.every
                self.counters = {k: c for k, c in self.counters.items() if c[1] > now}
            hits, ends = self.counters.get(key, (0, 0.0))
            if ends <= now:  # a new window starts with this hit
                hits, ends = 0, now + expiry
            self.counters[key] = (hits + amount, ends)
            return hits + amount

    def get(self, key: str) -> int:
        hits, ends = self.counters.get(key, (0, 0.0))
        return hits if ends > time.time() else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        ends = self.counters.get(key, (0, now))[1]
        return ends if ends > now else now

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count = len(self.counters)
            self.counters = {}
            return count

    def clear(self, key: str) -> None:
        with self._lock:
            self.counters.pop(key, None)


# The redirect and the QR images count by hand (spend(): clicks, and renders, not every
# request), so Flask-Limiter's per-request pass has nothing to do there; skipping it spares
# the service's most frequent requests work that could never refuse them.
SELF_LIMITED_ENDPOINTS = frozenset(
    {
        "links.follow",
        "links.follow_scan",
        "leaflets.qr_png",
        "leaflets.qr_svg",
        "campaign_page.social_card",  # every request counts, by hand (spend())
    }
)
# The pages a click lands on have no limit of their own (every view answers from the workers'
# shared page data: html/page_data.py): Flask-Limiter's pass would only find that out, at a
# tenth of the page's cost. Skipped unless the app sets default or application-wide limits
# (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION), which then apply to them as to every page. A
# limit added to one of them must take it out of this set.
UNLIMITED_ENDPOINTS = frozenset({"campaign_page.campaign_page", "embed.box"})


def _skipped(app: Flask) -> frozenset:
    """The endpoints Flask-Limiter's per-request pass has nothing to do for in this app."""
    config = app.config
    if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
        return SELF_LIMITED_ENDPOINTS
    return SELF_LIMITED_ENDPOINTS | UNLIMITED_ENDPOINTS


def _counts_by_hand() -> bool:
    return request.endpoint in services().unlimited_endpoints


def _skip_pass_where_nothing_is_limited(app: Flask) -> None:
    """Flask-Limiter's per-request pass, not even entered for the endpoints above.

    The request filter (_counts_by_hand) empties the pass's list of limits, but the pass still
    resolves exemptions and meta limits: a tenth of a landing page's time. Wrapped here, it
    returns before any of that; every other endpoint runs it unchanged.
    """
    skipped = services(app).unlimited_endpoints = _skipped(app)
    hooks = app.before_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if hook == limiter._check_request_limit:

            def check(hook=hook) -> None:
                if request.endpoint not in skipped:
                    hook()

            hooks[i] = check


def _retry_after_header(response):
    """Every 429 says when to come back."""
    if response.status_code == 429:
        response.headers.setdefault("Retry-After", str(retry_after()))
    return response


# Settings that are not per app are fixed here: Flask-Limiter keeps the first app's otherwise.
# swallow_errors: with Redis down, requests go through unlimited (and the error is logged).
limiter = Limiter(
    key_func=client_key,
    key_prefix=KEY_PREFIX,
    strategy="fixed-window",
    headers_enabled=False,
    swallow_errors=True,
)
limiter.request_filter(_counts_by_hand)
