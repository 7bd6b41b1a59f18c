"""Webhook: POST /api/v1/pledges, signed by the platform that takes the money."""

from __future__ import annotations

import time

from flask import current_app, request

from ..campaigns import service as campaigns
from ..config import webhook_secrets
from ..errors import Problem, invalid
from ..extensions import db
from ..pledges import service, signatures
from ..pledges.schemas import PledgeIn
from ..public import app_tokens
from ..ratelimit import limited
from . import bp
from .body import parse
from .openapi import Reply, json_response, operation
from .responses import PledgeCreditOut, PledgeStored


@bp.post("/pledges")
@operation(
    "Record a pledge delivery from the platform that takes the money",
    body=PledgeIn,
    responses={
        201: Reply("A new pledge", PledgeStored),
        200: Reply("Repeated or updated", PledgeStored),
    },
    errors=(401,),
    limited=True,
    parameters=(
        {
            "name": "Sharetrack-Signature",
            "in": "header",
            "required": True,
            "description": 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
            "schema": {"type": "string"},
        },
    ),
    tags=("pledges",),
)
@limited("RATELIMIT_WEBHOOK")
def receive_pledge():
    """Record a pledge delivery: 201 when new, 200 when repeated or updated."""
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413 before anything else
    try:
        signatures.verify(
            request.headers.get(signatures.HEADER),
            raw,
            webhook_secrets(current_app.config),
            now=int(time.time()),
        )
    except signatures.SignatureError as exc:
        raise Problem(
            401,
            "Unauthorized",
            str(exc),
            slug="bad-signature",
            headers={"WWW-Authenticate": "Signature"},
        ) from None
    body = parse(PledgeIn)
    campaign = campaigns.by_slug(db.session, body.campaign)
    if campaign is None:
        raise invalid([{"field": "campaign", "message": f"unknown campaign {body.campaign!r}"}])
    delivery = service.Delivery(
        external_id=body.external_id,
        amount_minor=body.amount_minor,
        currency=body.currency,
        status=body.status,
        occurred_at=body.occurred_at,
    )
    try:
        pledge, created, ignored = service.deliver(
            db.session, app_tokens(), campaign, delivery, body.refs()
        )
    except service.DeliveryRefused as exc:
        raise invalid([{"field": exc.field, "message": exc.message}]) from None
    credits = service.credits_of(db.session, pledge, campaign.attribution_model)
    db.session.commit()
    # ignored: forged, unknown or other campaigns' links in this delivery
    out = PledgeStored.from_pledge(
        pledge, campaign, PledgeCreditOut.from_credits(credits, app_tokens().share_token), ignored
    )
    return json_response(out, 201 if created else 200)
