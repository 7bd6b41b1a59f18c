"""Recording a pledge: idempotent by external id, newest delivery wins, credits kept in step.

Every delivery is a snapshot of the pledge. The stored pledge is a function of the set of
deliveries received, whatever order they came in (50 workers may race on one pledge):
- status and amount come from the newest delivery by occurred_at (an older one changes them
  not at all; on a tie the later status in the pledge's life wins);
- except the amount of a payment made once (a Stripe pledge, a row of a payments export), the
  least any of its deliveries names: a PaymentIntent is paid once, and its later events
  (refunds, disputes) only ever take money back (ADR 0305); an export's row names its
  payment's created time, the same in every export, so a later export's partial refund is a
  tie in time that only this rule settles;
- pledged_at, attribution's clock, is the earliest occurred_at seen;
- touches are the union of every delivery's refs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..attribution import engine
from ..campaigns.service import committed_currency
from ..dialects import insert_ignore
from ..models import (
    CANCELLED,
    PAID,
    PLEDGED,
    REFUNDED,
    UNVERIFIED_SOURCES,
    Campaign,
    Pledge,
    PledgeCredit,
    PledgeTouch,
    Share,
    utcnow,
)
from ..signing import Tokens
from . import acceptance, events

# On a tie in occurred_at, the status later in a pledge's life wins.
STATUS_RANK = {PLEDGED: 0, PAID: 1, CANCELLED: 2, REFUNDED: 3}
# A pledge keeps at most this many touches, however many deliveries add some.
MAX_TOUCHES = 100
# Sources whose payment is made once: no later delivery raises its amount (refunds, disputes).
PAID_ONCE_SOURCES = frozenset({"stripe"})

TouchPair = tuple[int, dt.datetime | None]


class DeliveryRefused(ValueError):
    """A delivery that must change nothing: `field` names what is wrong, for the answer."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Delivery:
    """One description of a pledge, from a webhook, Stripe, the hosted page or an import."""

    external_id: str
    amount_minor: int
    currency: str
    status: str
    occurred_at: dt.datetime  # naive UTC
    touches: tuple[TouchPair, ...] = ()
    supporter_name: str | None = None
    source: str = "webhook"
    # The supporter agreed to be named under "Recent support" (the hosted form's tick box).
    show_name: bool = False
    # A row of a platform's payments export (imports/payments.py): the payment's state now, of
    # a payment made once, so its amount only goes down (refunds), as a Stripe payment's.
    exported: bool = False

    @property
    def verified(self) -> bool:
        """Vouched for by a signature or by staff: everything but the hosted form."""
        return self.source not in UNVERIFIED_SOURCES

    @property
    def paid_once(self) -> bool:
        """From a platform whose later events only lower the amount (ADR 0305), or an export's
        row of a payment (made once: a later export of it differs only by what was refunded)."""
        return self.exported or self.source in PAID_ONCE_SOURCES


def check(session: Session, campaign: Campaign, delivery_currency: str, amount_minor: int,
          external_id: str) -> None:  # fmt: skip
    """DeliveryRefused unless acceptance.refusal takes it: the campaign's currency; for a new
    pledge, at most its largest pledge (a stored one is always followed). A platform's report
    of money given is recorded whether or not the campaign is still open.
    """
    stored = session.scalar(
        sa.select(Pledge.id).where(
            Pledge.campaign_id == campaign.id, Pledge.external_id == external_id
        )
    )
    refused = acceptance.refusal(
        campaign,
        delivery_currency,
        amount_minor,
        taken_in=committed_currency(session, campaign),
        stored=stored is not None,
        reported=True,
    )
    if refused is not None:
        raise DeliveryRefused(refused.field, refused.message)


class Event(NamedTuple):
    """What one delivery says: when, which status, how much, through which links."""

    occurred_at: dt.datetime
    status: str
    amount_minor: int
    touches: tuple = ()


@dataclass(frozen=True)
class State:
    """A pledge as a set of deliveries leaves it."""

    status: str
    amount_minor: int
    occurred_at: dt.datetime
    pledged_at: dt.datetime
    touches: tuple


def replay(events: Iterable[Event], *, paid_once: bool = False) -> State:
    """The stored pledge after all of `events`, in any order: what `record` builds one by one.

    `paid_once` (a Stripe payment): the amount is the least any event names, so a refund or
    dispute never raises it, whichever order the events came in.
    """
    events = list(events)
    newest = max(events, key=lambda e: (e.occurred_at, STATUS_RANK[e.status], e.amount_minor))
    touches = merge_touches((), (t for e in events for t in e.touches))
    return State(
        newest.status,
        min(e.amount_minor for e in events) if paid_once else newest.amount_minor,
        newest.occurred_at,
        min(e.occurred_at for e in events),
        tuple(touches),
    )


def supersedes(new: tuple[dt.datetime, str, int], old: tuple[dt.datetime, str, int]) -> bool:
    """Whether a delivery (occurred_at, status, amount) replaces the stored one."""
    new_key = (new[0], STATUS_RANK[new[1]], new[2])
    old_key = (old[0], STATUS_RANK[old[1]], old[2])
    return new_key > old_key


def merge_touches(existing: Iterable[TouchPair], arriving: Iterable[TouchPair]) -> list[TouchPair]:
    """The arriving touches not stored yet, within the per-pledge limit."""
    seen = set(existing)
    room = MAX_TOUCHES - len(seen)
    new: list[TouchPair] = []
    for touch in arriving:
        if touch not in seen and len(new) < room:
            seen.add(touch)
            new.append(touch)
    return new


class Recorded(NamedTuple):
    """What storing one delivery did: the pledge as stored, whether it is new, whether the
    delivery changed anything (a repeat of what is stored changes nothing)."""

    pledge: Pledge
    created: bool
    changed: bool


def record(session: Session, campaign: Campaign, delivery: Delivery) -> tuple[Pledge, bool]:
    """Store a delivery; returns (pledge as stored, created). The caller commits."""
    recorded = apply(session, campaign, delivery)
    return recorded.pledge, recorded.created


def _new_row(campaign: Campaign, delivery: Delivery, now: dt.datetime) -> dict:
    """The pledge row a first delivery makes."""
    return {
        "campaign_id": campaign.id,
        "external_id": delivery.external_id,
        "amount_minor": delivery.amount_minor,
        "currency": delivery.currency,
        "status": delivery.status,
        "pledged_at": delivery.occurred_at,
        "occurred_at": delivery.occurred_at,
        "supporter_name": delivery.supporter_name,
        "show_name": delivery.show_name,
        "source": delivery.source,
        "verified": delivery.verified,
        "created_at": now,
        "updated_at": now,
    }


def apply(session: Session, campaign: Campaign, delivery: Delivery) -> Recorded:
    """Store a delivery and say what it changed. The caller commits.

    The insert-or-nothing then row lock makes racing deliveries of one pledge queue up on
    PostgreSQL; SQLite has a single writer anyway.
    """
    now = utcnow()
    inserted = insert_ignore(
        session, Pledge, _new_row(campaign, delivery, now), returning=Pledge.id
    ).first()
    created = inserted is not None
    pledge = session.scalar(
        sa.select(Pledge)
        .where(Pledge.campaign_id == campaign.id, Pledge.external_id == delivery.external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert pledge is not None  # inserted above or already there; rows are never deleted here
    changed, named, before = created, False, (None if created else events.was(pledge))
    if not created:
        paid_once = delivery.paid_once or pledge.source in PAID_ONCE_SOURCES
        if supersedes(
            (delivery.occurred_at, delivery.status, delivery.amount_minor),
            (pledge.occurred_at, pledge.status, pledge.amount_minor),
        ):
            amount = pledge.amount_minor if paid_once else delivery.amount_minor
            # A paid-once pledge's larger amount wins a tie in time yet sets nothing: no change.
            changed = (pledge.status, pledge.amount_minor, pledge.occurred_at) != (
                delivery.status,
                amount,
                delivery.occurred_at,
            )
            pledge.status, pledge.amount_minor = delivery.status, amount
            pledge.occurred_at = delivery.occurred_at
        if paid_once and delivery.amount_minor < pledge.amount_minor:
            # Whichever came first, a refund never raises what a payment said, nor the reverse.
            pledge.amount_minor = delivery.amount_minor
            changed = True
        if delivery.occurred_at < pledge.pledged_at:
            pledge.pledged_at = delivery.occurred_at
            changed = True
        named = bool(delivery.supporter_name and not pledge.supporter_name)
        if named:
            pledge.supporter_name = delivery.supporter_name
        if delivery.verified and not pledge.verified:
            # A signed delivery naming a form pledge's id is its payment: now it counts, in the
            # currency it was paid in (check() made that the campaign's).
            pledge.verified = True
            if pledge.currency != delivery.currency.upper():  # the campaign changed currency
                pledge.currency = delivery.currency.upper()
                pledge.amount_minor = delivery.amount_minor
            changed = True
    stored = session.execute(
        sa.select(PledgeTouch.share_id, PledgeTouch.at).where(PledgeTouch.pledge_id == pledge.id)
    ).all()
    new_touches = merge_touches((tuple(t) for t in stored), delivery.touches)
    if new_touches:
        session.execute(
            sa.insert(PledgeTouch),
            [{"pledge_id": pledge.id, "share_id": s, "at": at} for s, at in new_touches],
        )
        changed = True
    if changed:
        pledge.updated_at = now
        session.flush()
        engine.recompute_pledge(session, pledge, campaign.window_days)
        events.announce(session, campaign, pledge, before)
    return Recorded(pledge, created, changed or named)


def campaign_shares(session: Session, campaign_id: int, share_ids: Iterable[int]) -> set[int]:
    """Which of these share ids belong to the campaign."""
    ids = set(share_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            sa.select(Share.id).where(Share.id.in_(ids), Share.campaign_id == campaign_id)
        )
    )


def resolve_refs(
    session: Session,
    tokens: Tokens,
    campaign_id: int,
    refs: Sequence[tuple[str, dt.datetime | None]],
) -> tuple[list[TouchPair], int]:
    """Share links named in a delivery, as touches; (touches, refs ignored).

    A ref that is forged, unknown or of another campaign is ignored rather than refused: the
    money is real even when the link a supporter came through is not.
    """
    verified = [(tokens.share_id(token), at) for token, at in refs]
    known = campaign_shares(session, campaign_id, (s for s, _ in verified if s))
    touches = [(share_id, at) for share_id, at in verified if share_id in known]
    return touches, len(refs) - len(touches)


def deliver(
    session: Session,
    tokens: Tokens,
    campaign: Campaign,
    delivery: Delivery,
    refs: Sequence[tuple[str, dt.datetime | None]],
) -> tuple[Pledge, bool, int]:
    """One platform delivery, checked, its refs resolved, recorded: (pledge, created, refs
    ignored). Raises DeliveryRefused, with nothing stored. The caller commits."""
    check(session, campaign, delivery.currency, delivery.amount_minor, delivery.external_id)
    touches, ignored = resolve_refs(session, tokens, campaign.id, refs)
    pledge, created = record(session, campaign, replace(delivery, touches=tuple(touches)))
    return pledge, created, ignored


def credits_of(session: Session, pledge: Pledge, model: str) -> list[tuple[int, str, int]]:
    """(share id, channel, credit) of a pledge under `model`, largest first."""
    rows = session.execute(
        sa.select(PledgeCredit.share_id, Share.channel, PledgeCredit.amount_minor)
        .join(Share, Share.id == PledgeCredit.share_id)
        .where(PledgeCredit.pledge_id == pledge.id, PledgeCredit.model == model)
        .order_by(PledgeCredit.amount_minor.desc(), PledgeCredit.share_id)
    ).all()
    return [tuple(row) for row in rows]
