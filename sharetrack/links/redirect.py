"""Following a share link: the one function behind GET /s/<token> and /S/<TOKEN>/Q.

It is called by the Flask view (links/views.py) and, for almost every click, by the WSGI
middleware in front of Flask (links/middleware.py, ADR 0008); both give the same answer.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .. import metrics
from ..extensions import db
from ..models import utcnow
from ..ratelimit import allow_click
from ..tracking import bots, clicks, touches, visitors
from . import hotpath
from .channels import tagged_landing_url
from .service import Target
from .tokens import canonical_share_token

log = logging.getLogger(__name__)


def answer(app: Flask, request: Request, token: str, *, scan: bool) -> Response | None:
    """The redirect for this click, the click stored (if counted); None means 404.

    Runs in an app context. The response is complete before the click is written, so nothing
    can fail once it is: a failed write (the commit included) is logged and the visitor is
    still sent on. Errors before that (the database down) propagate.
    """
    share_id = app.extensions["sharetrack.tokens"].share_id(token)
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
    counted = allow_click(visit.ip)  # past the client's limit: still redirected, not counted
    hashed = counted and not (visit.machine or visit.opted_out)
    salt = _salt(app, visit.at.date()) if hashed else None
    with hotpath.transaction(app.extensions["sharetrack.hotpath"]) as tx:
        target = tx.resolve(share_id)
        if target is None:
            return None
        response = _response(app, request, target, canonical_share_token(token), visit)
        if counted:
            try:
                tx.record(visit, salt)
            except SQLAlchemyError:  # never strand a visitor; the failure is in the log
                log.exception("click on share %s not recorded", share_id)
    metrics.click(metrics.click_kind(counted, visit.machine))
    return response


def _response(app: Flask, request: Request, target: Target, token: str, visit) -> Response:
    response = redirect(_destination(target, token), 302)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    if not (visit.machine or visit.opted_out):
        _remember_touch(app, request, response, target)
    return response


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


def _remember_touch(app: Flask, request: Request, response: Response, target: Target) -> None:
    signer = app.extensions["sharetrack.tokens"].touch_cookie
    now = int(time.time())
    kept = touches.decode(signer, request.cookies.get(touches.COOKIE_NAME), now)
    touch = touches.Touch(target.share_id, now, target.window_days)
    kept = touches.add(kept, touch, app.config["TOUCH_COOKIE_MAX"])
    response.set_cookie(
        touches.COOKIE_NAME,
        touches.encode(signer, kept),
        max_age=touches.max_age(kept, now),
        httponly=True,
        samesite="Lax",
        secure=app.config["COOKIE_SECURE"],
    )


def _salt(app: Flask, day) -> bytes:
    return visitors.salt_of_day(db.engine, day, app.extensions["sharetrack.salts"])
