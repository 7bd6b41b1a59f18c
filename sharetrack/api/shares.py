"""Public API: create a share link."""

from __future__ import annotations

import time

from flask import current_app, jsonify, request
from itsdangerous import BadSignature

from ..campaigns import service as campaigns
from ..extensions import db
from ..links import service
from ..links.channels import share_intent_url
from ..models import CHANNELS, Share
from ..ratelimit import limited
from ..tracking import touches
from ..web import app_tokens, dashboard_url, link_url
from . import bp
from .body import parse
from .errors import Problem, invalid
from .openapi import Reply, operation
from .responses import ShareLink
from .schemas import ShareCreate

PROMOTER_COOKIE = "st_promoter"
PROMOTER_COOKIE_AGE = 365 * 86400
PUBLIC_CHANNELS = tuple(c for c in CHANNELS if c != "leaflet")


@bp.post("/shares")
@operation(
    "Make (or return) a promoter's link for one campaign and channel",
    body=ShareCreate,
    responses={201: Reply("A new link", ShareLink), 200: Reply("The existing link", ShareLink)},
    limited=True,
    errors=(404, 409),
    tags=("shares",),
)
@limited("RATELIMIT_SHARES")
def create_share():
    """Make (or return) a promoter's link for one campaign and channel."""
    body = parse(ShareCreate)
    campaign = campaigns.by_slug(db.session, body.campaign)
    if campaign is None:
        raise Problem(
            404, "Not Found", f"There is no campaign {body.campaign!r}.", slug="unknown-campaign"
        )
    if body.channel not in PUBLIC_CHANNELS:
        message = (
            "leaflet links are made by staff as leaflet batches"
            if body.channel == "leaflet"
            else f"unknown channel {body.channel!r}; one of {', '.join(PUBLIC_CHANNELS)}"
        )
        raise invalid([{"field": "channel", "message": message}])
    if campaign.status != "active":
        raise Problem(
            409,
            "Conflict",
            f"Campaign {campaign.slug!r} is {campaign.status}.",
            slug="campaign-not-active",
        )
    promoter = _promoter(body.promoter)
    parent_id = _parent_id(body.parent, campaign.id)
    share, created = service.get_or_create_share(
        db.session, campaign=campaign, promoter=promoter, channel=body.channel, parent_id=parent_id
    )
    db.session.commit()
    token = app_tokens().share_token(share.id)
    url = link_url(token)
    response = jsonify(
        {
            "token": token,
            "url": url,
            "share_url": share_intent_url(share.channel, url, campaign.title),
            "promoter": promoter.code,
            "dashboard_url": dashboard_url(promoter.code),
        }
    )
    response.status_code = 201 if created else 200
    response.set_cookie(
        PROMOTER_COOKIE,
        app_tokens().promoter_cookie.dumps(promoter.code),
        max_age=PROMOTER_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["COOKIE_SECURE"],
    )
    return response


def _promoter(code: str | None):
    """The named promoter, else the browser's own, else a new anonymous one."""
    if code is not None:
        promoter = service.promoter_by_code(db.session, code)
        if promoter is None:
            raise invalid([{"field": "promoter", "message": f"unknown promoter {code!r}"}])
        return promoter
    raw = request.cookies.get(PROMOTER_COOKIE)
    if raw:
        try:
            cookie_code = app_tokens().promoter_cookie.loads(raw)
        except (BadSignature, UnicodeError, ValueError):  # a bad cookie: no promoter yet
            cookie_code = None
        if isinstance(cookie_code, str):
            promoter = service.promoter_by_code(db.session, cookie_code)
            if promoter is not None:
                return promoter
    return service.create_promoter(db.session)


def _parent_id(token: str | None, campaign_id: int) -> int | None:
    """The parent share: the given token, else the visitor's latest arrival in this campaign."""
    if token is not None:
        parent_id = app_tokens().share_id(token)
        parent = db.session.get(Share, parent_id) if parent_id else None
        if parent is None or parent.campaign_id != campaign_id:
            raise invalid([{"field": "parent", "message": "not a link of this campaign"}])
        return parent.id
    arrivals = touches.decode(
        app_tokens().touch_cookie, request.cookies.get(touches.COOKIE_NAME), int(time.time())
    )
    for touch in reversed(arrivals):
        parent = db.session.get(Share, touch.share_id)
        if parent is not None and parent.campaign_id == campaign_id:
            return parent.id
    return None
