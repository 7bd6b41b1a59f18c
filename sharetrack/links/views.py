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
from . import hotpath
from .channels import tagged_landing_url
from .service import Target
from .tokens import canonical_share_token

bp = Blueprint("links", __name__)
log = logging.getLogger(__name__)


@bp.get("/s/<token>")
@bp.get("/S/<token>")
def follow(token: str):
    """Send the visitor to the campaign, counting the visit without keeping who made it."""
    return _follow(token, scan=False)


# A printed QR code carries /S/<TOKEN>/Q (see leaflets/qr.py): the same link, counted as a scan.
@bp.get("/s/<token>/q")
@bp.get("/S/<token>/Q")
def follow_scan(token: str):
    """The redirect for a visit through a QR code: counted with the scan flag."""
    return _follow(token, scan=True)


def _follow(token: str, *, scan: bool):
    share_id = app_tokens().share_id(token)
    if share_id is None:  # forged or altered: refused before any query
        abort(404)
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
    target = _resolve_and_record(visit)
    if target is None:
        abort(404)
    destination = tagged_landing_url(
        target.landing_url,
        channel=target.channel,
        campaign_slug=target.campaign_slug,
        promoter_code=target.promoter_code,
        token=canonical_share_token(token),
    )
    response = redirect(destination, 302)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    if not (visit.machine or visit.opted_out):
        _remember_touch(response, share_id, target.window_days)
    return response


def _resolve_and_record(visit: clicks.Visit) -> Target | None:
    """Read the target and store the click in one short transaction (links/hotpath.py).

    A failed write is logged and the visitor is still sent on; they must never be stranded.
    """
    statements: hotpath.Statements = current_app.extensions["sharetrack.hotpath"]
    with hotpath.transaction(statements) as tx:
        target = tx.resolve(visit.share_id)
        if target is None:
            return None
        if not allow_click():  # past the client's limit: still redirected, just not counted
            return target
        try:
            tx.record(visit, _salt)
        except SQLAlchemyError:
            log.exception("click on share %s not recorded", visit.share_id)
        return target


def _salt(day) -> bytes:
    return visitors.salt_of_day(db.engine, day, current_app.extensions["sharetrack.salts"])


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
