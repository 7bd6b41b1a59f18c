"""Staff API: campaigns."""

from __future__ import annotations

from flask import url_for

from ..campaigns import service
from ..campaigns.schemas import CampaignCreate, CampaignUpdate
from ..errors import invalid
from ..extensions import db
from . import bp
from .auth import require_api_key
from .body import parse
from .openapi import Reply, json_response, operation
from .responses import Campaign, CampaignList

ENDS_BEFORE_START = {"field": "ends_at", "message": "must be after the campaign starts"}


@bp.post("/campaigns")
@operation(
    "Create a campaign",
    body=CampaignCreate,
    responses={201: Reply("The new campaign", Campaign, headers=("Location",))},
    auth=True,
    tags=("campaigns",),
)
@require_api_key
def create_campaign():
    """Create a campaign."""
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
    auth=True,
    tags=("campaigns",),
)
@require_api_key
def list_campaigns():
    """Every campaign."""
    return CampaignList.from_campaigns(service.all_campaigns(db.session))


@bp.get("/campaigns/<slug>")
@operation(
    "One campaign",
    responses={200: Reply("The campaign", Campaign)},
    auth=True,
    errors=(404,),
    tags=("campaigns",),
)
@require_api_key
def get_campaign(slug: str):
    """One campaign."""
    return Campaign.from_campaign(service.get_campaign_or_404(db.session, slug))


@bp.patch("/campaigns/<slug>")
@operation(
    "Change some of a campaign's fields",
    body=CampaignUpdate,
    responses={200: Reply("The campaign as changed", Campaign)},
    auth=True,
    errors=(404,),
    tags=("campaigns",),
)
@require_api_key
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
