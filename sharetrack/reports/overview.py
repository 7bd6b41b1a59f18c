"""ShareCounts for the staff overview pages and the promoter page: shares, clicks, unique clicks.

`clicks` counts people (bots excluded), as the report API does; every click figure is read
through reports/queries.py, so it stays the same after retention deletes old raw clicks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Campaign, Share
from . import queries


@dataclass(frozen=True)
class ShareCounts:
    """Shares and human clicks of one campaign, channel or share."""

    shares: int = 0
    clicks: int = 0
    unique_clicks: int = 0


@dataclass(frozen=True)
class CampaignRow:
    """One line of the campaigns list."""

    campaign: Campaign
    counts: ShareCounts


@dataclass(frozen=True)
class ChannelRow:
    """One line of a campaign's per-channel table."""

    channel: str
    counts: ShareCounts


def campaigns_with_counts(session: Session) -> list[CampaignRow]:
    """Every campaign, newest first, with its shares and clicks so far."""
    campaigns = list(session.scalars(sa.select(Campaign).order_by(Campaign.id.desc())))
    shares = dict(
        session.execute(
            sa.select(Share.campaign_id, sa.func.count(Share.id)).group_by(Share.campaign_id)
        ).all()
    )
    clicks = queries.click_totals_by_campaign(session)
    return [CampaignRow(c, _counts(shares.get(c.id, 0), clicks.get(c.id))) for c in campaigns]


def channels_with_counts(session: Session, campaign_id: int) -> list[ChannelRow]:
    """A campaign's channels that have shares, most clicked first."""
    shares = dict(
        session.execute(
            sa.select(Share.channel, sa.func.count(Share.id))
            .where(Share.campaign_id == campaign_id)
            .group_by(Share.channel)
        ).all()
    )
    clicks = queries.clicks_by(session, campaign_id, "channel")
    rows = [ChannelRow(ch, _counts(n, clicks.get(ch))) for ch, n in shares.items()]
    return sorted(rows, key=lambda r: (-r.counts.clicks, -r.counts.shares, r.channel))


def totals(rows: Iterable[ChannelRow]) -> ShareCounts:
    """The sum of per-channel counts."""
    rows = list(rows)
    return ShareCounts(
        sum(r.counts.shares for r in rows),
        sum(r.counts.clicks for r in rows),
        sum(r.counts.unique_clicks for r in rows),
    )


def share_clicks(session: Session, share_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(clicks, unique clicks) per share id; shares without clicks are absent."""
    ids = list(share_ids)
    if not ids:
        return {}
    campaigns = session.execute(sa.select(Share.campaign_id, Share.id).where(Share.id.in_(ids)))
    by_campaign: dict[int, list[int]] = {}
    for campaign_id, share_id in campaigns:
        by_campaign.setdefault(campaign_id, []).append(share_id)
    out = {}
    for campaign_id, some in by_campaign.items():
        for share_id, counts in queries.clicks_by(
            session, campaign_id, "share_id", share_ids=some
        ).items():
            if counts.clicks or counts.unique_clicks or counts.bot_clicks:
                out[share_id] = (counts.clicks, counts.unique_clicks)
    return out


def _counts(shares: int, clicks: queries.Counts | None) -> ShareCounts:
    clicks = clicks or queries.Counts()
    return ShareCounts(shares, clicks.clicks, clicks.unique_clicks)
