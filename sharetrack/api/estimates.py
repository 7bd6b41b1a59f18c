"""Public API: what one more share of a campaign is worth, per channel."""

from __future__ import annotations

import hashlib

from flask import current_app, request

from ..campaigns.service import get_campaign_or_404
from ..channels import CHANNELS
from ..errors import invalid
from ..estimates import figures, forecast
from ..extensions import db
from ..ratelimit import limited
from . import bp
from .openapi import Reply, json_response, operation
from .responses import CampaignForecast, ShareValue, ShareValueChannel


@bp.get("/campaigns/<slug>/share-value")
@operation(
    "What one more share is worth, per channel, with a 90% interval",
    responses={
        200: Reply("The estimates", ShareValue, headers=("ETag", "Cache-Control")),
        304: Reply("Unchanged since the ETag sent in If-None-Match"),
    },
    limited=True,
    errors=(404, 422),
    parameters=(
        {"name": "channel", "in": "query", "required": False, "schema": {"enum": list(CHANNELS)}},
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
        },
    ),
    tags=("estimates",),
)
@limited("RATELIMIT_SHARE_VALUE")
def share_value(slug: str):
    """Every channel's estimate (or one, with ?channel=), cacheable by ETag for max-age."""
    campaign = get_campaign_or_404(db.session, slug)
    channel = request.args.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise invalid(
            [
                {
                    "field": "channel",
                    "message": f"unknown channel {channel[:40]!r}; one of {', '.join(CHANNELS)}",
                }
            ]
        )
    current = figures.current(db.session, campaign)
    body = ShareValue(
        campaign=campaign.slug,
        currency=campaign.currency,
        as_of=current.as_of,
        channels=[
            ShareValueChannel.from_estimate(item, campaign.currency)
            for item in current.channels.values()
            if channel is None or item.channel == channel
        ],
    )
    response = json_response(body)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["SHARE_VALUE_MAX_AGE"]
    return response.make_conditional(request)


@bp.get("/campaigns/<slug>/forecast")
@operation(
    "A forecast of the total raised by the campaign's end, with an 80% interval",
    responses={200: Reply("The forecast", CampaignForecast)},
    scope="read",
    errors=(404,),
    tags=("estimates",),
)
def campaign_forecast(slug: str):
    """The campaign's forecast (staff): expected total, interval, chance of the target."""
    campaign = get_campaign_or_404(db.session, slug)
    return CampaignForecast.from_forecast(forecast.campaign_forecast(db.session, campaign))
