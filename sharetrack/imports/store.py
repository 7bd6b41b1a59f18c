"""Writing a checked import plan in one transaction, in bulk. The caller commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..attribution import engine
from ..links.service import new_promoter_code
from ..models import (
    LIVE_STATUSES,
    Campaign,
    Click,
    Pledge,
    PledgeCredit,
    PledgeTouch,
    Promoter,
    Share,
    utcnow,
)
from ..pledges import service as pledges
from .lines import Plan

CHUNK = 10_000


@dataclass
class Stored:
    campaigns: int = 0
    promoters: int = 0
    shares: int = 0
    clicks: int = 0
    pledges_new: int = 0
    pledges_updated: int = 0


def _chunks(rows: list, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert_returning_ids(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert rows and return their new ids in the same order."""
    ids: list[int] = []
    for chunk in _chunks(rows):
        result = session.execute(
            sa.insert(model).returning(model.id, sort_by_parameter_order=True), chunk
        )
        ids.extend(result.scalars())
    return ids


def store(session: Session, plan: Plan, advance: Callable[[int], None] = lambda n: None) -> Stored:
    """Write everything in `plan`; `advance(n)` reports n more records written."""
    done = Stored()
    campaigns = {slug: cid for slug, (cid, _) in plan.stored_campaigns.items()}
    for slug, line in plan.campaigns.items():
        campaign = Campaign(**line.model_dump(exclude={"type"}))
        session.add(campaign)
        session.flush()
        campaigns[slug] = campaign.id
        done.campaigns += 1
    advance(len(plan.campaigns))

    # The same external promoter id is the same (new, anonymous) promoter.
    external = sorted({s.promoter for s in plan.shares if s.promoter is not None})
    now = utcnow()
    promoter_ids = dict(
        zip(
            external,
            _insert_returning_ids(
                session,
                Promoter,
                [{"code": new_promoter_code(), "created_at": now} for _ in external],
            ),
            strict=True,
        )
    )
    done.promoters = len(external)

    share_ids: dict[str, int] = {}
    level: list = []
    for share in [*plan.shares, None]:  # parents come first: one insert per depth
        if share is not None and (not level or level[0].depth == share.depth):
            level.append(share)
            continue
        rows = [
            {
                "campaign_id": campaigns[s.campaign],
                "promoter_id": promoter_ids.get(s.promoter) if s.promoter else None,
                "channel": s.channel,
                "parent_id": share_ids[s.parent] if s.parent else None,
                "created_at": s.created_at,
            }
            for s in level
        ]
        share_ids.update(
            zip([s.key for s in level], _insert_returning_ids(session, Share, rows), strict=True)
        )
        advance(len(level))
        level = [share] if share is not None else []
    done.shares = len(share_ids)

    insert_click = sa.insert(Click)
    for chunk in _chunks(plan.clicks):
        session.execute(
            insert_click,
            [
                {
                    "share_id": share_ids[key],
                    "at": at,
                    "is_unique": unique,
                    "is_bot": bot,
                    "is_scan": False,
                    "referrer_host": None,
                }
                for key, at, unique, bot in chunk
            ],
        )
        done.clicks += len(chunk)
        advance(len(chunk))

    _store_pledges(session, plan, campaigns, share_ids, done)
    advance(len(plan.pledges))
    return done


def _store_pledges(session, plan: Plan, campaigns: dict, share_ids: dict, done: Stored) -> None:
    """New pledges in bulk with their credits; pledges already stored through the webhook path."""
    windows = dict(
        session.execute(
            sa.select(Campaign.id, Campaign.window_days).where(
                Campaign.id.in_(list(campaigns.values()))
            )
        ).all()
    )
    existing: set[tuple[int, str]] = set()
    by_campaign: dict[int, list[str]] = {}
    for record in plan.pledges:
        by_campaign.setdefault(campaigns[record.campaign], []).append(record.external_id)
    for cid, external_ids in by_campaign.items():
        for chunk in _chunks(external_ids, 1000):
            existing.update(
                (cid, eid)
                for eid in session.scalars(
                    sa.select(Pledge.external_id).where(
                        Pledge.campaign_id == cid, Pledge.external_id.in_(chunk)
                    )
                )
            )

    def touches_of(event_touches) -> tuple:
        return tuple((share_ids[key], at) for key, at in event_touches)

    new_rows, new_states = [], []
    now = utcnow()
    for record in plan.pledges:
        cid = campaigns[record.campaign]
        if (cid, record.external_id) in existing:
            campaign = session.get(Campaign, cid)
            for event in record.deliveries:
                pledges.record(
                    session,
                    campaign,
                    pledges.Delivery(
                        record.external_id,
                        event.amount_minor,
                        record.currency,
                        event.status,
                        event.occurred_at,
                        touches_of(event.touches),
                    ),
                )
            done.pledges_updated += 1
            continue
        state = pledges.fold(e._replace(touches=touches_of(e.touches)) for e in record.deliveries)
        new_states.append((cid, state))
        new_rows.append(
            {
                "campaign_id": cid,
                "external_id": record.external_id,
                "amount_minor": state.amount_minor,
                "currency": record.currency,
                "status": state.status,
                "pledged_at": state.pledged_at,
                "occurred_at": state.occurred_at,
                "created_at": now,
                "updated_at": now,
            }
        )
    ids = _insert_returning_ids(session, Pledge, new_rows)
    touch_rows, credit_rows = [], []
    for pledge_id, (cid, state) in zip(ids, new_states, strict=True):
        touch_rows.extend(
            {"pledge_id": pledge_id, "share_id": s, "at": at} for s, at in state.touches
        )
        if state.status in LIVE_STATUSES:
            credit_rows.extend(
                engine.credit_rows(
                    pledge_id=pledge_id,
                    campaign_id=cid,
                    amount_minor=state.amount_minor,
                    pledged_at=state.pledged_at,
                    touches=state.touches,
                    window_days=windows[cid],
                )
            )
    for chunk in _chunks(touch_rows):
        session.execute(sa.insert(PledgeTouch), chunk)
    for chunk in _chunks(credit_rows):
        session.execute(sa.insert(PledgeCredit), chunk)
    done.pledges_new = len(ids)
