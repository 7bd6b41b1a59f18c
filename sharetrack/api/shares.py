"""Public API: create a share link."""

from __future__ import annotations

from flask import current_app

from ..campaigns import service as campaigns
from ..channels import share_intent_url
from ..config import mail_enabled
from ..errors import Problem, invalid
from ..extensions import db
from ..links.schemas import ShareCreate
from ..promoters import identity, sharing, tasks
from ..public import (
    app_tokens,
    arrival_share_ids,
    cookie_promoter,
    dashboard_url,
    link_url,
    set_promoter_cookie,
)
from ..ratelimit import limit_per, limited
from . import bp
from .body import parse
from .openapi import Reply, json_response, operation
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
        shared = sharing.share(
            db.session,
            app_tokens(),
            campaign=campaign,
            channel=body.channel,
            promoter_key=body.promoter_key,
            browser=cookie_promoter(),
            parent_token=body.parent,
            arrivals=arrival_share_ids(),
            email=body.email,
            can_mail=mail_enabled(current_app.config),
        )
    except sharing.ShareRefused as refused:
        raise _problem(refused) from None
    if shared.email is not None:
        limit_per(
            "RATELIMIT_EMAIL_ADDRESS",
            identity.email_hash(app_tokens(), shared.email),
            "email",
            "emails to this address",
        )
    db.session.commit()
    token = app_tokens().share_token(shared.share.id)
    url = link_url(token)
    page = dashboard_url(identity.private_key(app_tokens(), shared.promoter))
    link = ShareLink(
        token=token,
        url=url,
        share_url=share_intent_url(shared.share.channel, url, campaign.title),
        promoter=shared.promoter.code,
        dashboard_url=page,
    )
    response = json_response(link, 201 if shared.created else 200)
    set_promoter_cookie(response, shared.promoter)
    if shared.email is not None:
        tasks.mail_pages.enqueue(shared.email, [page])
    return response


def _problem(refused: sharing.ShareRefused) -> Problem:
    if refused.status == 422:
        return invalid([{"field": refused.field, "message": refused.message}])
    return Problem(refused.status, "Conflict", refused.message, slug=refused.slug)
