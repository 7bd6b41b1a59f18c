"""Following a share link: the one function behind GET /s/<token> and /S/<TOKEN>/Q.

It is called by the Flask view (html/links/views.py) and, for almost every click, by the WSGI
middleware in front of Flask (links/middleware.py, ADR 0008); both give the same answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from cachetools import TTLCache
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.http import dump_cookie
from werkzeug.urls import iri_to_uri
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .. import metrics
from ..channels import tagged_landing_url
from ..extensions import db
from ..models import utcnow
from ..ratelimit import allow_click
from ..services import services
from ..signing import canonical_share_token
from ..tracking import bots, clicks, retention, touches, visitors
from . import redirect_sql
from .service import Target

log = logging.getLogger(__name__)


# A share's target (landing URL, campaign, promoter code, window) is kept this long per worker,
# so a repeated link needs no read: an edited campaign or an erased promoter's new code reaches
# the redirect within this time (ADR 1601).
TARGET_SECONDS = 30
TARGET_ENTRIES = 4096


class Targets:
    """The worker's recent share targets (thread-safe: gthread workers share one)."""

    def __init__(self):
        self._cache: TTLCache = TTLCache(TARGET_ENTRIES, TARGET_SECONDS)
        self._lock = threading.Lock()

    def get(self, share_id: int) -> Target | None:
        with self._lock:
            return self._cache.get(share_id)

    def put(self, target: Target) -> None:
        with self._lock:
            self._cache[target.share_id] = target


@dataclass(frozen=True, slots=True)
class Answer:
    """The redirect for one click: where to, Werkzeug's body for it, and the touch cookie.

    Plain data, so the middleware can hand it to the WSGI server as it is and the Flask view
    can make a Response of it: both give the same status, headers and body.
    """

    location: str
    body: bytes
    cookie: str | None  # a Set-Cookie header value, or None (machines, GPC/DNT)

    def headers(self) -> list[tuple[str, str]]:
        """The redirect's own headers (security.apply adds the site's policy to these)."""
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(self.body))),
            ("Location", self.location),
            *OWN_HEADERS,
        ]
        if self.cookie is not None:
            headers.append(("Set-Cookie", self.cookie))
        return headers

    def response(self) -> Response:
        """As a Werkzeug response, for the Flask view."""
        return Response(self.body, 302, headers=self.headers())


# What a redirect sets itself, whatever the site's policy says (security.apply keeps them).
OWN_HEADERS = (("Referrer-Policy", "no-referrer"), ("Cache-Control", "private, no-store"))
STATUS = "302 FOUND"


def answer(app: Flask, request: Request, token: str, *, scan: bool) -> Answer | None:
    """The redirect for this click, the click stored (if counted); None means 404.

    Needs no app context (the middleware calls it without one). The answer is complete before
    the click is written, so nothing can fail once it is: a failed write (the commit included)
    is logged and the visitor is still sent on. Errors before that (the database down)
    propagate.
    """
    share_id = services(app).tokens.share_id(token)
    if share_id is None:  # forged or altered: refused before any query
        return None
    user_agent = request.user_agent.string
    visit = clicks.Visit(
        share_id=share_id,
        ip=request.remote_addr or "",
        user_agent=user_agent,
        referrer=request.referrer,
        machine=bots.is_machine(request.method, user_agent, request.headers),
        opted_out=visitors.opted_out(request.headers),
        scan=scan,
        at=utcnow(),
    )
    # Before the connection is taken, so no click holds one while it waits for Redis or for a
    # second pooled connection (the day's first salt).
    counted = allow_click(app, visit.ip)  # past the client's limit: still redirected, not counted
    hashed = counted and not (visit.machine or visit.opted_out)
    row = clicks.row(visit, _salt(app, visit.at) if hashed else None) if counted else None
    targets: Targets = services(app).targets
    target = targets.get(share_id)
    if target is not None and row is None:  # nothing to read, nothing to write
        metrics.click(metrics.click_kind(counted, visit.machine))
        return _answer(app, request, target, canonical_share_token(token), visit)
    with redirect_sql.transaction(services(app).redirect_statements) as tx:
        if target is None:
            target = tx.resolve(share_id)
            if target is None:
                return None
            targets.put(target)
        result = _answer(app, request, target, canonical_share_token(token), visit)
        if row is not None:
            try:
                tx.record(row)
            except SQLAlchemyError:  # never strand a visitor; the failure is in the log
                log.exception("click on share %s not recorded", share_id)
    metrics.click(metrics.click_kind(counted, visit.machine))
    return result


def _answer(app: Flask, request: Request, target: Target, token: str, visit) -> Answer:
    location, body = _redirect(_destination(target, token))
    cookie = None
    if not (visit.machine or visit.opted_out):
        cookie = _touch_cookie(app, request, target)
    return Answer(location, body, cookie)


@lru_cache(maxsize=4096)
def _destination(target: Target, token: str) -> str:
    """The tagged landing URL: a pure function of the target, so recent ones are kept."""
    return tagged_landing_url(
        target.landing_url,
        channel=target.channel,
        campaign_slug=target.campaign_slug,
        promoter_code=target.promoter_code,
        token=token,
    )


@lru_cache(maxsize=4096)
def _redirect(destination: str) -> tuple[str, bytes]:
    """Werkzeug's 302 to `destination` as (Location, body), the Location as Werkzeug sends it
    (IRI to URI): pure, so recent ones are kept."""
    response = redirect(destination, 302)
    return iri_to_uri(response.headers["Location"]), response.get_data()


def _touch_cookie(app: Flask, request: Request, target: Target) -> str:
    """The Set-Cookie value: the visitor's kept arrivals plus this one."""
    signer = services(app).tokens.touch_cookie
    now = int(time.time())
    # No Cookie header (most clicks): nothing to parse.
    raw = request.cookies.get(touches.COOKIE_NAME) if "HTTP_COOKIE" in request.environ else None
    kept = touches.decode(signer, raw, now)
    secure = app.config["COOKIE_SECURE"]
    if not kept:  # most visitors: a cookie of this one arrival, the same for a whole second
        return _first_touch_cookie(signer, target.share_id, now, target.window_days, secure)
    touch = touches.Arrival(target.share_id, now, target.window_days)
    kept = touches.add(kept, touch, app.config["TOUCH_COOKIE_MAX"])
    return _cookie(signer, kept, now, secure)


@lru_cache(maxsize=256)
def _first_touch_cookie(signer, share_id: int, now: int, window_days: int, secure: bool) -> str:
    """The Set-Cookie value holding one arrival: pure, so the same second reuses it."""
    return _cookie(signer, [touches.Arrival(share_id, now, window_days)], now, secure)


def _cookie(signer, kept: list, now: int, secure: bool) -> str:
    return dump_cookie(
        touches.COOKIE_NAME,
        touches.encode(signer, kept),
        max_age=touches.max_age(kept, now),
        httponly=True,
        samesite="Lax",
        secure=secure,
        max_size=Response.max_cookie_size,
    )


def _salt(app: Flask, at: dt.datetime) -> bytes:
    """The day's salt from the worker's memory; read (or made) once per worker and day, and
    then the salts and hashes past 48 hours are expired, on connections of their own."""
    cache = services(app).salts
    day = at.date()
    salt = cache.get(day)
    if salt is not None:
        return salt
    with app.app_context():  # Flask-SQLAlchemy's engine is found through the app context
        with db.engine.begin() as conn:
            salt = visitors.salt_for(conn, day, cache)
        try:
            with Session(db.engine) as session:
                retention.expire_visitors(session, at, wait=False)
        except SQLAlchemyError:  # the click still counts; `flask purge` expires them in the hour
            log.exception("expiring visitor hashes failed")
    return salt
