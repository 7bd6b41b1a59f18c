"""Page code for the hosted page's share box: channels ranked by the figures, the headline.

The ranking and the headline rule are estimates.figures' (`ranked`, `headline`); this only
turns them into what the template needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...campaigns import service as campaigns
from ...channels import CHANNEL, LISTED_CHANNELS
from ...estimates import figures
from ...extensions import db
from ...models import Campaign

PROMINENT = 3  # channels shown first; the rest wait under "More ways to share"


@dataclass(frozen=True)
class Offer:
    """One channel's button: what it says, where the share goes, its headline amount if any."""

    channel: str
    action: str
    place: str
    amount: str | None  # only a well-founded figure (figures.headline), in whole units


@dataclass(frozen=True)
class ShareBox:
    """The share box: the prominent channels, the others, and the best well-founded offer."""

    top: list[Offer]
    more: list[Offer]
    best: Offer | None


def share_box(campaign: Campaign) -> ShareBox:
    """The campaign's listed channels, best well-founded figure first (figures.ranked)."""
    current = figures.current(db.session, campaign) if campaigns.is_open(campaign) else None
    estimates = (
        {c: current.channels[c].estimate for c in LISTED_CHANNELS if c in current.channels}
        if current is not None
        else {}
    )
    offers = [
        Offer(
            channel,
            CHANNEL[channel].action or channel,
            CHANNEL[channel].place or "",
            figures.headline(estimates[channel], campaign.currency)
            if channel in estimates
            else None,
        )
        for channel in figures.ranked(estimates, campaign.currency, LISTED_CHANNELS)
    ]
    best = offers[0] if offers and offers[0].amount else None
    return ShareBox(offers[:PROMINENT], offers[PROMINENT:], best)
