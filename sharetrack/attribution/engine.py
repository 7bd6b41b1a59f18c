"""Keeping stored credits in step with pledges: every model, written when a pledge changes.

See docs/adr/0301-stored-credits-per-model.md for why credits are stored, not computed per
report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Campaign, Pledge, PledgeCredit, PledgeTouch
from . import rules

BATCH = 2000


def credit_rows(
    *,
    pledge_id: int,
    campaign_id: int,
    amount_minor: int,
    pledged_at: dt.datetime,
    touches: Iterable[tuple[int, dt.datetime | None]],
    window_days: int,
) -> list[dict]:
    """The pledge_credits rows of one counted pledge (verified and live), for every model.

    `touches` are (share_id, at) pairs; an `at` of None (a bare ref) means the pledge's time.
    """
    kept = rules.eligible(
        (rules.Arrival(at or pledged_at, share_id) for share_id, at in touches),
        pledged_at,
        window_days,
    )
    rows = []
    for model, credits in rules.credit_all(amount_minor, kept, pledged_at).items():
        rows.extend(
            {
                "pledge_id": pledge_id,
                "model": model,
                "share_id": share_id,
                "campaign_id": campaign_id,
                "pledged_at": pledged_at,
                "amount_minor": amount,
            }
            for share_id, amount in credits.items()
        )
    return rows


def recompute_pledge(session: Session, pledge: Pledge, window_days: int) -> None:
    """Replace one pledge's credits: none unless it counts (Pledge.counted).

    This is the gate that keeps pledge_credits to counted pledges, so every reader of credits
    (reports, promoter pages, leaflets, the estimate) counts only verified, live money.
    """
    session.execute(sa.delete(PledgeCredit).where(PledgeCredit.pledge_id == pledge.id))
    if not pledge.counted:
        return
    touches = session.execute(
        sa.select(PledgeTouch.share_id, PledgeTouch.at).where(PledgeTouch.pledge_id == pledge.id)
    ).all()
    rows = credit_rows(
        pledge_id=pledge.id,
        campaign_id=pledge.campaign_id,
        amount_minor=pledge.amount_minor,
        pledged_at=pledge.pledged_at,
        touches=touches,
        window_days=window_days,
    )
    if rows:
        session.execute(sa.insert(PledgeCredit), rows)


def recompute_campaign(session: Session, campaign: Campaign) -> int:
    """Rebuild every credit of a campaign (after its window changes); returns pledges credited."""
    session.execute(sa.delete(PledgeCredit).where(PledgeCredit.campaign_id == campaign.id))
    pledges = session.execute(
        sa.select(Pledge.id, Pledge.amount_minor, Pledge.pledged_at)
        .where(Pledge.campaign_id == campaign.id, Pledge.counted)
        .order_by(Pledge.id)
    ).all()
    credited = 0
    for start in range(0, len(pledges), BATCH):
        batch = pledges[start : start + BATCH]
        touches: dict[int, list] = defaultdict(list)
        for pledge_id, share_id, at in session.execute(
            sa.select(PledgeTouch.pledge_id, PledgeTouch.share_id, PledgeTouch.at).where(
                PledgeTouch.pledge_id.in_([p.id for p in batch])
            )
        ):
            touches[pledge_id].append((share_id, at))
        rows = []
        for pledge in batch:
            found = credit_rows(
                pledge_id=pledge.id,
                campaign_id=campaign.id,
                amount_minor=pledge.amount_minor,
                pledged_at=pledge.pledged_at,
                touches=touches[pledge.id],
                window_days=campaign.window_days,
            )
            credited += bool(found)
            rows.extend(found)
        if rows:
            session.execute(sa.insert(PledgeCredit), rows)
    return credited
