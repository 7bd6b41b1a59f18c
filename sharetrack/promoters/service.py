"""Reading a promoter's page: who the token names, and their links with clicks per campaign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..links import service as links
from ..links.tokens import Tokens
from ..models import CHANNELS, Campaign, Promoter, Share
from ..reports.overview import share_clicks

MAX_TOKEN_LENGTH = 200  # a dashboard token is ~50 characters; longer is never ours


@dataclass(frozen=True)
class PromoterLink:
    """One of the promoter's links and the visits it brought."""

    share_id: int
    channel: str
    created_at: dt.datetime
    clicks: int
    unique_clicks: int


@dataclass(frozen=True)
class PromoterCampaign:
    """A campaign the promoter shares, with their links to it."""

    slug: str
    title: str
    currency: str
    status: str
    links: list[PromoterLink]

    @property
    def clicks(self) -> int:
        """Human clicks on all of the promoter's links to this campaign."""
        return sum(link.clicks for link in self.links)


def by_token(session: Session, tokens: Tokens, token: str) -> Promoter | None:
    """The promoter a dashboard token names, or None if it is forged, altered or erased."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    code = tokens.dashboard_code(token)
    if not isinstance(code, str) or len(code) > 32:
        return None
    return links.promoter_by_code(session, code)


def campaigns_of(session: Session, promoter_id: int) -> list[PromoterCampaign]:
    """The promoter's links grouped by campaign, the most recently shared campaign first."""
    rows = session.execute(
        sa.select(Share.id, Share.channel, Share.created_at, Campaign)
        .join(Campaign, Campaign.id == Share.campaign_id)
        .where(Share.promoter_id == promoter_id)
        .order_by(Share.id.desc())
    ).all()
    counts = share_clicks(session, (row.id for row in rows))
    by_campaign: dict[int, tuple[Campaign, list[PromoterLink]]] = {}
    for share_id, channel, created_at, campaign in rows:
        clicks, unique = counts.get(share_id, (0, 0))
        link = PromoterLink(share_id, channel, created_at, clicks, unique)
        by_campaign.setdefault(campaign.id, (campaign, []))[1].append(link)
    return [
        PromoterCampaign(
            c.slug,
            c.title,
            c.currency,
            c.status,
            sorted(ls, key=lambda x: CHANNELS.index(x.channel)),
        )
        for c, ls in by_campaign.values()
    ]
