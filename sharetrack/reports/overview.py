"""ShareCounts for the staff overview pages and the promoter page: shares, clicks, unique clicks.

`clicks` counts people (bots excluded), as the report API does. Once the report pages land
(issue 5, part 2) these can read through the pledges work's reports/queries.py instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Campaign, Click, Share


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


def _click_columns():
    human = Click.is_bot.is_(False)
    return (
        sa.func.count(Click.id).filter(human).label("clicks"),
        sa.func.count(Click.id).filter(human, Click.is_unique.is_(True)).label("unique_clicks"),
    )


def campaigns_with_counts(session: Session) -> list[CampaignRow]:
    """Every campaign, newest first, with its shares and clicks so far (three queries)."""
    campaigns = list(session.scalars(sa.select(Campaign).order_by(Campaign.id.desc())))
    shares = dict(
        session.execute(
            sa.select(Share.campaign_id, sa.func.count(Share.id)).group_by(Share.campaign_id)
        ).all()
    )
    clicks = {
        row.campaign_id: (row.clicks, row.unique_clicks)
        for row in session.execute(
            sa.select(Share.campaign_id, *_click_columns())
            .join(Click, Click.share_id == Share.id)
            .group_by(Share.campaign_id)
        )
    }
    return [
        CampaignRow(c, ShareCounts(shares.get(c.id, 0), *clicks.get(c.id, (0, 0))))
        for c in campaigns
    ]


def channels_with_counts(session: Session, campaign_id: int) -> list[ChannelRow]:
    """A campaign's channels that have shares, most clicked first."""
    shares = dict(
        session.execute(
            sa.select(Share.channel, sa.func.count(Share.id))
            .where(Share.campaign_id == campaign_id)
            .group_by(Share.channel)
        ).all()
    )
    clicks = {
        row.channel: (row.clicks, row.unique_clicks)
        for row in session.execute(
            sa.select(Share.channel, *_click_columns())
            .join(Click, Click.share_id == Share.id)
            .where(Share.campaign_id == campaign_id)
            .group_by(Share.channel)
        )
    }
    rows = [ChannelRow(ch, ShareCounts(n, *clicks.get(ch, (0, 0)))) for ch, n in shares.items()]
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
    return {
        row.share_id: (row.clicks, row.unique_clicks)
        for row in session.execute(
            sa.select(Click.share_id, *_click_columns())
            .where(Click.share_id.in_(ids))
            .group_by(Click.share_id)
        )
    }
