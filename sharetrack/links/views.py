"""The redirect: GET /s/<token> (and its uppercase form from QR codes)."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, abort, current_app, redirect, request
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import utcnow
from ..ratelimit import allow_click
from ..tracking import bots, clicks, touches, visitors
from ..web import app_tokens
from .channels import tagged_landing_url
from .service import resolve

bp = Blueprint("links", __name__)
log = logging.getLogger(__name__)


@bp.get("/s/<token>")
@bp.get("/S/<token>")
def follow(token: str):
    """Send the visitor to the campaign, counting the visit without keeping who made it."""
    share_id = app_tokens().share_id(token)
    if share_id is None:  # forged or altered: refused before any query
        abort(404)
    target = resolve(db.session, share_id)
    if target is None:
        abort(404)
    destination = tagged_landing_url(
        target.landing_url,
        channel=target.channel,
        campaign_slug=target.campaign_slug,
        promoter_code=target.promoter_code,
        token=token.lower(),
    )
    user_agent = request.user_agent.string
    visit = clicks.Visit(
        share_id=share_id,
        ip=request.remote_addr or "",
        user_agent=user_agent,
        referrer=request.referrer,
        machine=bots.is_machine(request.method, user_agent, request.headers),
        opted_out=visitors.opted_out(request.headers),
        scan=False,
        at=utcnow(),
    )
    if allow_click():  # past the client's limit: still redirected, just not counted
        _record(visit)
    response = redirect(destination, 302)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    if not (visit.machine or visit.opted_out):
        _remember_touch(response, share_id, target.window_days)
    return response


def _record(visit: clicks.Visit) -> None:
    """Store the click; a database failure must never strand the visitor."""
    cache = current_app.extensions["sharetrack.salts"]
    try:
        clicks.record(db.session, visit, cache)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("click on share %s not recorded", visit.share_id)


def _remember_touch(response, share_id: int, window_days: int) -> None:
    serializer = app_tokens().touch_cookie
    now = int(time.time())
    kept = touches.decode(serializer, request.cookies.get(touches.COOKIE_NAME), now)
    kept = touches.add(
        kept, touches.Touch(share_id, now, window_days), current_app.config["TOUCH_COOKIE_MAX"]
    )
    response.set_cookie(
        touches.COOKIE_NAME,
        touches.encode(serializer, kept),
        max_age=touches.max_age(kept, now),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["COOKIE_SECURE"],
    )
