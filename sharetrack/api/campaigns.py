"""Staff API: campaigns."""

from __future__ import annotations

from flask import g, url_for

from ..auth.api_keys import campaign_ids
from ..campaigns import service
from ..campaigns.schemas import CampaignCreate, CampaignUpdate
from ..errors import Problem, invalid
from ..extensions import db
from . import bp
from .body import parse
from .openapi import Reply, json_response, operation
from .responses import Campaign, CampaignList

ENDS_BEFORE_START = {"field": "ends_at", "message": "must be after the campaign starts"}


@bp.post("/campaigns")
@operation(
    "Create a campaign",
    body=CampaignCreate,
    responses={201: Reply("The new campaign", Campaign, headers=("Location",))},
    scope="write",
    errors=(403,),
    tags=("campaigns",),
)
def create_campaign():
    """Create a campaign (not with a key limited to some campaigns: it could not reach it)."""
    if g.api_key.campaign_limited:
        raise Problem(
            403,
            "Forbidden",
            "This API key reaches only some campaigns, so it cannot create one.",
            slug="campaign-limited-key",
        )
    body = parse(CampaignCreate)
    try:
        campaign = service.create(db.session, **body.model_dump())
    except service.SlugTaken:
        raise invalid([{"field": "slug", "message": f"{body.slug!r} is already in use"}]) from None
    except service.EndsBeforeStart:
        raise invalid([ENDS_BEFORE_START]) from None
    db.session.commit()
    response = json_response(Campaign.from_campaign(campaign), 201)
    response.headers["Location"] = url_for("api.get_campaign", slug=campaign.slug)
    return response


@bp.get("/campaigns")
@operation(
    "Every campaign, newest first",
    responses={200: Reply("The campaigns", CampaignList)},
    scope="read",
    tags=("campaigns",),
)
def list_campaigns():
    """Every campaign the key reaches."""
    reached = campaign_ids(db.session, g.api_key)
    campaigns = service.all_campaigns(db.session)
    return CampaignList.from_campaigns([c for c in campaigns if reached is None or c.id in reached])


@bp.get("/campaigns/<slug>")
@operation(
    "One campaign",
    responses={200: Reply("The campaign", Campaign)},
    scope="read",
    errors=(404,),
    tags=("campaigns",),
)
def get_campaign(slug: str):
    """One campaign."""
    return Campaign.from_campaign(service.get_campaign_or_404(db.session, slug))


@bp.patch("/campaigns/<slug>")
@operation(
    "Change some of a campaign's fields",
    body=CampaignUpdate,
    responses={200: Reply("The campaign as changed", Campaign)},
    scope="write",
    errors=(404,),
    tags=("campaigns",),
)
def update_campaign(slug: str):
    """Change some of a campaign's fields."""
    campaign = service.get_campaign_or_404(db.session, slug)
    body = parse(CampaignUpdate)
    try:
        service.update(campaign, **body.model_dump(exclude_unset=True))
    except service.CurrencyLocked:
        raise invalid(
            [
                {
                    "field": "currency",
                    "message": "cannot change once the campaign has verified pledges",
                }
            ]
        ) from None
    except service.EndsBeforeStart:
        raise invalid([ENDS_BEFORE_START]) from None
    db.session.commit()
    return Campaign.from_campaign(campaign)
