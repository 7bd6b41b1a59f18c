"""The shared readers of counted money for other packages (the estimator above all).

What counts is one rule, `Pledge.counted` (verified and live; docs/adr/0304); stored credits
exist only for counted pledges (attribution.engine is the gate). These selects are the way
other packages read that money, so none of them re-derives the rule.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..models import Campaign, Pledge, PledgeCredit


def credits_under_campaign_models() -> sa.Select:
    """(share_id, pledged_at, amount_minor) of every counted credit, all campaigns, each under
    its campaign's own attribution model: what the per-share estimate learns from."""
    return sa.select(
        PledgeCredit.share_id, PledgeCredit.pledged_at, PledgeCredit.amount_minor
    ).join(
        Campaign,
        sa.and_(
            Campaign.id == PledgeCredit.campaign_id,
            Campaign.attribution_model == PledgeCredit.model,
        ),
    )


def counted_pledges(campaign_id: int | None = None) -> sa.Select:
    """Counted pledges (all columns), of one campaign or all: for readers of pledges
    themselves rather than their credits."""
    query = sa.select(Pledge).where(Pledge.counted)
    if campaign_id is not None:
        query = query.where(Pledge.campaign_id == campaign_id)
    return query
