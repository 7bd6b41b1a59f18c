"""Reading a promoter's page: their links with figures per campaign.

Figures come from reports/credits.share_figures under each campaign's own attribution model,
so they match the staff report (and survive folding and retention of raw clicks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..channels import CHANNELS
from ..models import Campaign, Share
from ..reports import credits


@dataclass(frozen=True)
class PromoterLink:
    """One of the promoter's links and the visits it brought."""

    share_id: int
    channel: str
    created_at: dt.datetime
    clicks: int
    unique_clicks: int
    pledges: int = 0
    direct_minor: int = 0  # credited to this link
    indirect_minor: int = 0  # credited to links made from it, and theirs, and so on


@dataclass(frozen=True)
class PromoterCampaign:
    """A campaign the promoter shares, with their links to it."""

    slug: str
    title: str
    currency: str
    status: str
    links: list[PromoterLink]
    organiser: str = ""  # who runs it (the organiser's name, else the title)

    @property
    def clicks(self) -> int:
        """Human clicks on all of the promoter's links to this campaign."""
        return sum(link.clicks for link in self.links)

    @property
    def direct_minor(self) -> int:
        """Money credited to the promoter's own links."""
        return sum(link.direct_minor for link in self.links)

    @property
    def indirect_minor(self) -> int:
        """Money credited to links made from the promoter's links (cascades)."""
        return sum(link.indirect_minor for link in self.links)

    @property
    def raised_minor(self) -> int:
        """The headline: direct and through cascades."""
        return self.direct_minor + self.indirect_minor


def campaigns_of(session: Session, promoter_id: int) -> list[PromoterCampaign]:
    """The promoter's links grouped by campaign, the most recently shared campaign first."""
    rows = session.execute(
        sa.select(Share.id, Share.channel, Share.created_at, Campaign)
        .join(Campaign, Campaign.id == Share.campaign_id)
        .where(Share.promoter_id == promoter_id)
        .order_by(Share.id.desc())
    ).all()
    ids: dict[int, tuple[Campaign, list[int]]] = {}
    for share_id, _channel, _created_at, campaign in rows:
        ids.setdefault(campaign.id, (campaign, []))[1].append(share_id)
    by_campaign: dict[int, tuple[Campaign, list[PromoterLink]]] = {}
    for campaign, share_ids in ids.values():
        figures = credits.share_figures(
            session, campaign.id, campaign.attribution_model, share_ids=share_ids
        )
        by_campaign[campaign.id] = (
            campaign,
            [
                PromoterLink(
                    f.share_id,
                    f.channel,
                    f.created_at,
                    f.counts.clicks,
                    f.counts.unique_clicks,
                    f.pledges,
                    f.direct_minor,
                    f.indirect_minor,
                )
                for f in figures.values()
            ],
        )
    return [
        PromoterCampaign(
            c.slug,
            c.title,
            c.currency,
            c.status,
            sorted(ls, key=lambda x: CHANNELS.index(x.channel)),
            c.organiser_name or c.title,
        )
        for c, ls in by_campaign.values()
    ]
