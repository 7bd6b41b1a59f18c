"""The cache every worker shares (Flask-Caching): what is costly to make and the same for all.

Flask-Caching rather than a cache of our own (ADR 0801). By default a FileSystemCache under
instance/cache: every worker of one machine reads the same files, and it needs no server, so
the SQLite default works as it is. Where the rate limits already use Redis (production), the
cache uses the same Redis, so every instance shares it too. Drawn cards are named by what they
hold (the social card's ETag), so none is ever stale: an unused one expires or is pruned. The
public pages' data per campaign is named by a generation that commits renew, and lives 30 s
(html/page_data.py, page_cache.py, ADR 2202).

A cache that fails (Redis down, a full disk) is a miss: the caller makes the value again, and
the failure is logged; it never turns a request into a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask
from flask_caching import Cache

log = logging.getLogger(__name__)

cache = Cache()
KEY_PREFIX = "sharetrack/cache/"
# As for the rate limits: a Redis that stops answering must not hold requests.
REDIS_TIMEOUT = 0.5  # seconds


def settings(config) -> dict:
    """Flask-Caching's settings from ours: Redis when one is named, else files."""
    url = config.get("CACHE_REDIS_URL")
    limits = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if not url and limits.startswith(("redis://", "rediss://")):
        url = limits
    kind = config.get("CACHE_TYPE") or ("RedisCache" if url else "FileSystemCache")
    return {
        "CACHE_TYPE": kind,
        "CACHE_REDIS_URL": _with_timeouts(url) if url else None,
        "CACHE_DIR": config["CACHE_DIR"],
        "CACHE_THRESHOLD": int(config["CACHE_THRESHOLD"]),
        "CACHE_KEY_PREFIX": KEY_PREFIX,
        "CACHE_DEFAULT_TIMEOUT": 86400,
    }


def _with_timeouts(url: str) -> str:
    """The Redis URL with socket timeouts (redis-py reads its query), unless it sets its own."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_timeout", str(REDIS_TIMEOUT))
    query.setdefault("socket_connect_timeout", str(REDIS_TIMEOUT))
    return urlunsplit(parts._replace(query=urlencode(query)))


def init_app(app: Flask) -> None:
    """Bind the shared cache to this app."""
    cache.init_app(app, config=settings(app.config))


def get_or_make(key: str, make: Callable[[], bytes], timeout: int) -> bytes:
    """The bytes stored under `key`, else make() them and store them for `timeout` seconds."""
    try:
        found = cache.get(key)
    except Exception:  # the cache is down: make it, as on a miss
        log.exception("cache get %s failed", key)
        found = None
    if isinstance(found, bytes):
        return found
    made = make()
    try:
        cache.set(key, made, timeout=timeout)
    except Exception:
        log.exception("cache set %s failed", key)
    return made
