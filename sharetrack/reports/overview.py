"""The campaigns list: each campaign's money, pledges, shares and clicks at a glance.

Every figure is read through reports/queries.py, so the list agrees with the report API and
stays right after closed days are folded into click_days and raw clicks are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..campaigns.service import progress
from ..models import Campaign, Share
from ..pledges import counting
from . import credits, queries


@dataclass(frozen=True)
class CampaignRow:
    """One line of the campaigns list (clicks count people, not bots)."""

    campaign: Campaign
    shares: int
    clicks: int
    unique_clicks: int
    pledges: int
    raised_minor: int
    attributed_minor: int  # under the campaign's own model

    @property
    def progress(self) -> float:
        """Raised as a fraction of the target (0 without a target; may pass 1)."""
        return float(progress(self.raised_minor, self.campaign.target_minor))

    @property
    def attributed_share(self) -> float | None:
        """How much of the money raised was credited to shares; None when nothing was raised."""
        return self.attributed_minor / self.raised_minor if self.raised_minor else None


def campaigns_with_figures(session: Session) -> list[CampaignRow]:
    """Every campaign, newest first, with its figures so far."""
    campaigns = list(session.scalars(sa.select(Campaign).order_by(Campaign.id.desc())))
    shares = dict(
        session.execute(
            sa.select(Share.campaign_id, sa.func.count(Share.id)).group_by(Share.campaign_id)
        ).all()
    )
    rows = []
    for campaign in campaigns:
        clicks = queries.click_totals(session, campaign.id)
        raised = counting.pledge_totals(session, campaign.id)
        credited = credits.credit_totals(session, campaign.id, campaign.attribution_model)
        rows.append(
            CampaignRow(
                campaign,
                shares.get(campaign.id, 0),
                clicks.clicks,
                clicks.unique_clicks,
                raised.pledges,
                raised.amount_minor,
                credited.amount_minor,
            )
        )
    return rows
