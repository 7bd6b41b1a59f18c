"""Writing a checked import plan in one transaction, in bulk. The caller commits."""

from __future__ import annotations

import datetime as dt
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
    ImportFile,
    Pledge,
    PledgeCredit,
    PledgeTouch,
    Promoter,
    Share,
    utcnow,
)
from ..pledges import service as pledges
from ..tracking import retention, rollup
from . import bulk
from . import experiments as experiment_lines
from .lines import Plan


@dataclass
class Stored:
    campaigns: int = 0
    promoters: int = 0
    shares: int = 0
    clicks: int = 0
    pledges_new: int = 0
    pledges_updated: int = 0
    shares_known: int = 0  # matched by campaign and import key: stored before
    clicks_known: int = 0  # matched by share, time and bot flag: stored before


def imported_before(session: Session, sha256: str) -> ImportFile | None:
    """The record of an earlier import of the file with this SHA-256, if any."""
    return session.scalar(sa.select(ImportFile).where(ImportFile.sha256 == sha256))


def remember(session: Session, sha256: str, lines: int) -> None:
    """Record that the file with this SHA-256 was imported (once; a forced repeat keeps it)."""
    if imported_before(session, sha256) is None:
        session.add(ImportFile(sha256=sha256, lines=lines, imported_at=utcnow()))


def store(session: Session, plan: Plan, advance: Callable[[int], None] = lambda n: None) -> Stored:
    """Write everything in `plan`; `advance(n)` reports n more records written."""
    with bulk.big_cache(session):
        return _store(session, plan, advance)


def _store(session: Session, plan: Plan, advance: Callable[[int], None]) -> Stored:
    done = Stored()
    # Old clicks land in days that may be folded already: hold the watermark meanwhile.
    folded_before = rollup.lock(session)
    campaigns = _store_campaigns(session, plan, done)
    advance(len(plan.campaigns))
    variants = experiment_lines.store(session, plan.experiments, campaigns)
    share_ids, known = _store_shares(session, plan, campaigns, variants, done, advance)
    _store_clicks(session, plan, share_ids, known, folded_before, done, advance)
    _store_pledges(session, plan, campaigns, share_ids, done)
    advance(len(plan.pledges))
    return done


def _store_campaigns(session: Session, plan: Plan, done: Stored) -> dict[str, int]:
    """The new campaigns; returns {slug: id} of every campaign the plan names."""
    campaigns = {slug: cid for slug, (cid, _) in plan.stored_campaigns.items()}
    for slug, line in plan.campaigns.items():
        campaign = Campaign(**line.model_dump(exclude={"type"}))
        session.add(campaign)
        session.flush()
        campaigns[slug] = campaign.id
        done.campaigns += 1
    return campaigns


def _store_shares(
    session: Session,
    plan: Plan,
    campaigns: dict,
    variants: dict,
    done: Stored,
    advance: Callable[[int], None],
) -> tuple[dict[str, int], set[str]]:
    """The new shares and their new promoters; returns {import key: id} of every share of
    the plan, and the keys of those stored before."""
    share_ids = _known_shares(session, plan, campaigns)
    known = set(share_ids)
    promoter_ids = _store_promoters(session, plan, known, done)
    done.shares_known = len(known)
    level: list = []
    for share in [*(s for s in plan.shares if s.key not in known), None]:  # parents first:
        if share is not None and (not level or level[0].depth == share.depth):  # one insert
            level.append(share)  # per depth
            continue
        rows = [
            {
                "campaign_id": campaigns[s.campaign],
                "promoter_id": promoter_ids.get(s.promoter) if s.promoter else None,
                "channel": s.channel,
                "parent_id": share_ids[s.parent] if s.parent else None,
                "created_at": s.created_at,
                "import_key": s.key,
                "variant_id": variants[(s.campaign, *s.variant)] if s.variant else None,
            }
            for s in level
        ]
        share_ids.update(
            zip([s.key for s in level], bulk.insert_with_ids(session, Share, rows), strict=True)
        )
        advance(len(level))
        level = [share] if share is not None else []
    done.shares = len(share_ids) - len(known)
    return share_ids, known


def _store_promoters(session: Session, plan: Plan, known: set[str], done: Stored) -> dict:
    """New anonymous promoters: {external promoter id: id}. The same external id is the same
    promoter; a known share keeps the promoter it has."""
    external = sorted(
        {s.promoter for s in plan.shares if s.promoter is not None and s.key not in known}
    )
    now = utcnow()
    rows = [
        {"code": new_promoter_code(), "created_at": now, "display_name": None, "email": None}
        for _ in external
    ]
    done.promoters = len(external)
    return dict(zip(external, bulk.insert_with_ids(session, Promoter, rows), strict=True))


def _store_clicks(
    session: Session,
    plan: Plan,
    share_ids: dict[str, int],
    known: set[str],
    folded_before: dt.date | None,
    done: Stored,
    advance: Callable[[int], None],
) -> None:
    """The clicks not stored before, then the fold: days folded already get theirs added."""
    if known:
        before = len(plan.clicks)
        plan.clicks = _new_clicks(session, plan.clicks, {k: share_ids[k] for k in known})
        done.clicks_known = before - len(plan.clicks)
    insert_clicks = bulk.driver_insert(
        session,
        Click,
        ["share_id", "at", "day", "is_bot", "is_scan", "referrer_host", "visitor_hash"],
    )
    last_id = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Click.id), 0)))
    for chunk in bulk.chunks(plan.clicks):
        insert_clicks(
            [
                (share_ids[key], at, at.date(), bot, False, None, digest)
                for key, at, digest, bot in chunk
            ]
        )
        done.clicks += len(chunk)
        advance(len(chunk))
    if folded_before is not None:  # clicks of days folded already: added to their aggregates
        rollup.add_imported(session, last_id, folded_before)
    rollup.fold(session)
    retention.forget_visitors(session)  # old days' hashes were needed for the fold only


def _known_shares(session: Session, plan: Plan, campaigns: dict) -> dict[str, int]:
    """{import key: id} of the plan's shares already stored under their campaign."""
    by_campaign: dict[int, list[str]] = {}
    for share in plan.shares:
        if share.campaign in plan.stored_campaigns:  # a new campaign has no shares yet
            by_campaign.setdefault(campaigns[share.campaign], []).append(share.key)
    found: dict[str, int] = {}
    for cid, keys in by_campaign.items():
        for chunk in bulk.chunks(keys, 1000):
            found.update(
                session.execute(
                    sa.select(Share.import_key, Share.id).where(
                        Share.campaign_id == cid, Share.import_key.in_(chunk)
                    )
                ).all()
            )
    return found


def _new_clicks(session: Session, clicks: list, known: dict[str, int]) -> list:
    """The clicks not stored yet: on a known share, a click at the same time with the same bot
    flag is the same click (counted, so two such clicks in the file and one stored keep one)."""
    stored: dict[tuple[int, dt.datetime, bool], int] = {}
    ids = sorted(set(known.values()))
    for chunk in bulk.chunks(ids, 1000):
        rows = session.execute(
            sa.select(Click.share_id, Click.at, Click.is_bot, sa.func.count())
            .where(Click.share_id.in_(chunk))
            .group_by(Click.share_id, Click.at, Click.is_bot)
        )
        stored.update(((sid, at, bool(bot)), n) for sid, at, bot, n in rows)
    out = []
    for click in clicks:
        key, at, _unique, bot = click
        slot = (known.get(key), at, bot)
        if stored.get(slot):
            stored[slot] -= 1
            continue
        out.append(click)
    return out


def _store_pledges(session, plan: Plan, campaigns: dict, share_ids: dict, done: Stored) -> None:
    """New pledges in bulk with their credits; pledges already stored through the webhook path."""
    existing = _stored_pledges(session, plan, campaigns)

    def touches_of(event_touches) -> tuple:
        return tuple((share_ids[key], at) for key, at in event_touches)

    new_states = []
    for record in plan.pledges:
        cid = campaigns[record.campaign]
        if (cid, record.external_id) in existing:
            # a pledge the file says nothing new of is not one updated
            done.pledges_updated += _apply(session, cid, record, touches_of)
            continue
        state = pledges.replay(e._replace(touches=touches_of(e.touches)) for e in record.deliveries)
        new_states.append((cid, record, state))
    done.pledges_new = _insert_pledges(session, new_states)


def _stored_pledges(session, plan: Plan, campaigns: dict) -> set[tuple[int, str]]:
    """(campaign id, external id) of the plan's pledges stored before."""
    existing: set[tuple[int, str]] = set()
    by_campaign: dict[int, list[str]] = {}
    for record in plan.pledges:
        by_campaign.setdefault(campaigns[record.campaign], []).append(record.external_id)
    for cid, external_ids in by_campaign.items():
        for chunk in bulk.chunks(external_ids, 1000):
            existing.update(
                (cid, eid)
                for eid in session.scalars(
                    sa.select(Pledge.external_id).where(
                        Pledge.campaign_id == cid, Pledge.external_id.in_(chunk)
                    )
                )
            )
    return existing


def _apply(session, cid: int, record, touches_of) -> bool:
    """A stored pledge's deliveries from the file, through the webhook path: changed or not."""
    campaign = session.get(Campaign, cid)
    changed = False
    for event in record.deliveries:
        changed |= pledges.apply(
            session,
            campaign,
            pledges.Delivery(
                record.external_id,
                event.amount_minor,
                record.currency,
                event.status,
                event.occurred_at,
                touches_of(event.touches),
                source="import",
            ),
        ).changed
    return changed


def _insert_pledges(session, new_states: list) -> int:
    """New pledges (campaign id, record, replayed state) with their touches and credits;
    returns how many."""
    now = utcnow()
    rows = [
        {
            "campaign_id": cid,
            "external_id": record.external_id,
            "amount_minor": state.amount_minor,
            "currency": record.currency,
            "status": state.status,
            "pledged_at": state.pledged_at,
            "occurred_at": state.occurred_at,
            "source": "import",  # imports are by staff: verified
            "verified": True,
            "created_at": now,
            "updated_at": now,
        }
        for cid, record, state in new_states
    ]
    windows = dict(
        session.execute(
            sa.select(Campaign.id, Campaign.window_days).where(
                Campaign.id.in_(sorted({cid for cid, _, _ in new_states}))
            )
        ).all()
    )
    ids = bulk.insert_with_ids(session, Pledge, rows)
    touch_rows, credit_rows = [], []
    for pledge_id, (cid, _, state) in zip(ids, new_states, strict=True):
        touch_rows.extend(
            {"pledge_id": pledge_id, "share_id": s, "at": at} for s, at in state.touches
        )
        if state.status in LIVE_STATUSES:  # verified (an import): counted when live
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
    bulk.insert(session, PledgeTouch, touch_rows)
    bulk.insert(session, PledgeCredit, credit_rows)
    return len(ids)
