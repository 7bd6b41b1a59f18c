"""Public API: create a share link."""

from __future__ import annotations

from flask import jsonify

from ..campaigns import service as campaigns
from ..channels import share_intent_url
from ..errors import Problem, invalid
from ..extensions import db
from ..links import service
from ..links.public import (
    app_tokens,
    arrival_share_ids,
    cookie_promoter_code,
    dashboard_url,
    link_url,
    set_promoter_cookie,
)
from ..links.schemas import ShareCreate
from ..ratelimit import limited
from . import bp
from .body import parse
from .openapi import Reply, operation
from .responses import ShareLink


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
    try:
        promoter = service.promoter_for(db.session, body.promoter, cookie_promoter_code())
        parent_id = service.parent_for(
            db.session, app_tokens(), campaign.id, body.parent, arrival_share_ids()
        )
        share, created = service.start_sharing(
            db.session,
            campaign=campaign,
            channel=body.channel,
            promoter=promoter,
            parent_id=parent_id,
        )
    except service.ShareRefused as refused:
        if refused.status == 422:
            raise invalid([{"field": refused.field, "message": refused.message}]) from None
        raise Problem(refused.status, "Conflict", refused.message, slug=refused.slug) from None
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
    set_promoter_cookie(response, promoter.code)
    return response
