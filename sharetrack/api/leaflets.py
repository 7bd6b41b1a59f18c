"""Staff API: leaflet batches of a campaign."""

from __future__ import annotations

from ..campaigns.service import get_campaign_or_404
from ..errors import Problem, invalid
from ..extensions import db
from ..leaflets import service
from ..leaflets.schemas import LeafletCreate
from ..public import app_tokens, link_url, print_url
from . import bp
from .body import parse
from .openapi import Reply, json_response, operation
from .responses import LeafletBatchCreated, LeafletList


@bp.post("/campaigns/<slug>/leaflets")
@operation(
    "Create a leaflet batch: its own link, QR codes and print sheet",
    body=LeafletCreate,
    responses={201: Reply("The new batch", LeafletBatchCreated)},
    scope="write",
    errors=(404, 409),
    tags=("leaflets",),
)
def create_leaflet_batch(slug: str):
    """Create a batch: its own leaflet link, QR code images and print sheet."""
    campaign = get_campaign_or_404(db.session, slug)
    body = parse(LeafletCreate)
    try:
        batch = service.create_batch(
            db.session,
            campaign=campaign,
            label=body.label,
            place=body.place or None,
            printed=body.printed,
            promoter_code=body.promoter,
        )
    except service.UnknownPromoter:
        raise invalid([{"field": "promoter", "message": "unknown promoter"}]) from None
    except service.CampaignEnded:
        raise Problem(
            409, "Conflict", f"Campaign {campaign.slug!r} has ended.", slug="campaign-ended"
        ) from None
    db.session.commit()
    token = app_tokens().share_token(batch.share_id)
    url = link_url(token)
    created = LeafletBatchCreated(
        id=batch.id,
        token=token,
        url=url,
        qr_png_url=f"{url}/qr.png",
        qr_svg_url=f"{url}/qr.svg",
        print_url=print_url(batch.id),
    )
    return json_response(created, 201)


@bp.get("/campaigns/<slug>/leaflets")
@operation(
    "The campaign's leaflet batches with their scans and money",
    responses={200: Reply("The batches", LeafletList)},
    scope="read",
    errors=(404,),
    tags=("leaflets",),
)
def list_leaflet_batches(slug: str):
    """The campaign's batches with their scans (and, once wired, their pledges)."""
    campaign = get_campaign_or_404(db.session, slug)
    rows = service.batch_table(db.session, campaign.id)
    return LeafletList.from_rows(rows)
