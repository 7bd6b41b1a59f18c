"""The report page's "Next steps" panel: where a new campaign's public pieces are, ready to copy."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from ...embed.service import snippet
from ...models import Campaign
from ...public import base_url
from ...security import origin_of


@dataclass(frozen=True)
class NextSteps:
    """The campaign's public addresses, and the embed snippet sized for its channels."""

    page_url: str | None  # the hosted page, when the campaign has one
    card_url: str | None  # its social card (served with the hosted page)
    embed_url: str
    embed_snippet: str
    embed_origin: str | None  # the only origin that may frame the box: the landing page's


def next_steps(campaign: Campaign) -> NextSteps:
    """What staff share or paste once a campaign exists (absolute URLs on BASE_URL)."""
    root = base_url()
    embed_url = root + url_for("embed.box", slug=campaign.slug)
    hosted = campaign.pledge_page
    return NextSteps(
        page_url=root + url_for("campaign_page.campaign_page", slug=campaign.slug)
        if hosted
        else None,
        card_url=root + url_for("campaign_page.social_card", slug=campaign.slug)
        if hosted
        else None,
        embed_url=embed_url,
        embed_snippet=snippet(embed_url, campaign.title),
        embed_origin=origin_of(campaign.landing_url),
    )
