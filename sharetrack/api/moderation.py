"""Staff API: a campaign's pledges, and confirming or voiding one."""

from __future__ import annotations

from flask import g, request
from pydantic import ValidationError

from ..auth.api_keys import PREFIX
from ..campaigns.service import get_campaign_or_404
from ..errors import Problem, field_errors, invalid
from ..extensions import db
from ..pledges import review, service
from ..pledges.schemas import PledgeListQuery, PledgeReviewIn
from ..public import app_tokens
from . import bp
from .body import parse
from .openapi import Reply, operation
from .responses import PledgeCreditOut, PledgePage, PledgeReviewed, PledgeRow

LIST_PARAMETERS = (
    {"name": "status", "in": "query", "required": False, "schema": {"type": "string"}},
    {
        "name": "source",
        "in": "query",
        "required": False,
        "schema": {"enum": ["webhook", "stripe", "import", "staff", "form"]},
    },
    {"name": "confirmed", "in": "query", "required": False, "schema": {"type": "boolean"}},
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": review.MAX_LIMIT},
    },
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "integer"}},
)


@bp.get("/campaigns/<slug>/pledges")
@operation(
    "A campaign's pledges, newest first, paged (status, source, confirmed filters)",
    responses={200: Reply("One page of pledges", PledgePage)},
    scope="money",
    errors=(404, 422),
    parameters=LIST_PARAMETERS,
    tags=("pledges",),
)
def list_pledges(slug: str):
    """One page of the campaign's pledges."""
    campaign = get_campaign_or_404(db.session, slug)
    try:
        query = PledgeListQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise invalid(field_errors(exc)) from None
    filters = review.Filters(query.status, query.source, query.confirmed)
    rows, cursor = review.page(db.session, campaign, filters, query.limit, query.cursor)
    return PledgePage(pledges=[PledgeRow.from_pledge(p) for p in rows], next_cursor=cursor)


@bp.patch("/campaigns/<slug>/pledges/<int:pledge_id>")
@operation(
    "Confirm (paid) or void (cancelled) one pledge; a confirmed pledge counts at once",
    body=PledgeReviewIn,
    responses={200: Reply("The pledge as changed, with its credits", PledgeReviewed)},
    scope="money",
    errors=(404, 409),
    tags=("pledges",),
)
def review_pledge(slug: str, pledge_id: int):
    """Confirm or void a pledge of this campaign; the change is kept in its trail."""
    campaign = get_campaign_or_404(db.session, slug)
    body = parse(PledgeReviewIn)
    if body.status not in review.DECISIONS:
        raise invalid([{"field": "status", "message": "must be 'paid' or 'cancelled'"}])
    pledge = review.one(db.session, campaign, pledge_id)
    if pledge is None:
        raise Problem(404, "Not Found", "This campaign has no such pledge.", slug="unknown-pledge")
    key = g.api_key
    try:
        done = review.decide(
            db.session, campaign, pledge, body.status, f"api-key:{PREFIX}{key.prefix} {key.name}"
        )
    except review.ReviewRefused as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.slug) from None
    credits = service.credits_of(db.session, pledge, campaign.attribution_model)
    db.session.commit()
    return PledgeReviewed.from_review(
        pledge, PledgeCreditOut.from_credits(credits, app_tokens().share_token), done
    )
