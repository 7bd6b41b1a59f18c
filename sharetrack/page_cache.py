"""The generation of what public pages show: renewed by every commit that changes their money.

The hosted page, the embed box and the social card keep what they show per campaign in the
cache every worker shares (html/page_data.py), under the current generation. A commit that
adds, changes or removes a verified pledge or changes a campaign (through the ORM: every
service, staff review, webhook, Stripe event and form) renews the generation: each page's next
request reads the database again. What changes without such a commit (the per-share figures'
hourly refresh, the import's driver-level inserts) shows when the entry's own short lifetime
ends (html/page_data.FRESH_FOR, at most 60 s). An unverified form pledge renews nothing: it
moves no public figure, and a flood of them must not empty the cache.

A random token, not a counter: renewing needs no read, and two workers renewing at once can
only both invalidate. It is written after the commit, so whoever reads the new token reads
the committed data.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session

from .cache import cache
from .models import Campaign, CampaignUpdate, Experiment, Pledge
from .services import services

log = logging.getLogger(__name__)

_CHANGED = "sharetrack_pages_changed"  # session.info flag: this transaction changed page data
_WATCHED = (Campaign, CampaignUpdate, Experiment, Pledge)
# Seconds a worker keeps the generation it read before reading it again: one cache read per
# second instead of one per view; another worker's commit shows here within that time.
SEEN_FOR = 1.0


def namespace() -> str:
    """A name for this app's database, so apps on different databases sharing one cache (a
    Redis, a folder) never read each other's pages."""
    config = current_app.config
    return _namespace(
        f"{config['SQLALCHEMY_DATABASE_URI']}|{config.get('SQLALCHEMY_ENGINE_OPTIONS')!r}"
    )


@lru_cache(maxsize=64)
def _namespace(database: str) -> str:
    return hashlib.sha256(database.encode()).hexdigest()[:16]


def _key() -> str:
    return f"pages/{namespace()}/generation"


def now() -> float:
    """The clock the worker's copy of the generation is aged by (tests move it)."""
    return time.monotonic()


def generation() -> str | None:
    """The current generation (this worker's copy, read again after SEEN_FOR seconds); a new
    one if none is stored; None if the cache is down."""
    key = _key()
    _seen = services().generations
    seen = _seen.get(key)
    if seen is not None and now() - seen[1] < SEEN_FOR:
        return seen[0]
    try:
        found = cache.get(key)
    except Exception:
        log.exception("cache: reading the page generation failed")
        return None
    if not isinstance(found, str):
        return renew()
    _seen[key] = (found, now())
    return found


def renew() -> str | None:
    """Start a new generation: every page's cached data is read again. None if it failed."""
    token = secrets.token_hex(8)
    key = _key()
    _seen = services().generations
    try:
        cache.set(key, token, timeout=0)  # never expires; if pruned, the next read renews
    except Exception:
        log.exception("cache: renewing the page generation failed")
        _seen.pop(key, None)
        return None
    _seen[key] = (token, now())  # this worker sees its own commit at once
    return token


def _shows(obj) -> bool:
    """Whether a changed row can change what a public page shows."""
    if isinstance(obj, Campaign | CampaignUpdate | Experiment):
        return True
    if isinstance(obj, Pledge):  # only verified pledges count; a new form pledge moves nothing
        was = sa.inspect(obj).attrs.verified.history.deleted
        return bool(obj.verified) or any(was)
    return False


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    if any(_shows(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@sa.event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """An ORM UPDATE/DELETE/INSERT statement on pledges or campaigns (no objects to inspect)."""
    if state.is_update or state.is_delete or state.is_insert:
        mapper = state.bind_mapper
        if mapper is not None and mapper.class_ in _WATCHED:
            state.session.info[_CHANGED] = True


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        renew()


def init_app(_app) -> None:
    """Nothing per app: the listeners above are the ORM's, registered on import."""
