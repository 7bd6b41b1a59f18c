"""Creating, changing and reading campaigns."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from ..attribution import engine
from ..models import ACTIVE, ENDED, Campaign, Pledge, utcnow
from ..webhooks import outbox

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Optional fields that "" empties (None in an update leaves a field as it is).
CLEARABLE = ("organiser_name", "organiser_url", "accent_color")


class CampaignNotFound(LookupError):
    """No campaign has this slug; the adapters answer 404."""

    def __init__(self, slug: str):
        super().__init__(slug)
        self.slug = slug


class SlugTaken(Exception):
    """Another campaign already has this slug."""


class CurrencyLocked(Exception):
    """The campaign has pledges in its currency; changing it would mix currencies."""


class EndsBeforeStart(Exception):
    """The campaign would end before (or when) it starts."""


def check_dates(starts_at: dt.datetime | None, ends_at: dt.datetime | None, created_at=None):
    """Raise EndsBeforeStart unless the end comes after the start (by default, the creation)."""
    start = starts_at or created_at or utcnow()
    if ends_at is not None and ends_at <= start:
        raise EndsBeforeStart(ends_at)


def by_slug(session: Session, slug: str) -> Campaign | None:
    """The campaign with this slug, or None (a malformed slug is never looked up)."""
    if not SLUG_RE.fullmatch(slug):
        return None
    return session.scalar(sa.select(Campaign).where(Campaign.slug == slug))


def get_campaign_or_404(session: Session, slug: str) -> Campaign:
    """The campaign with this slug; raises CampaignNotFound (a 404 in every adapter) if none."""
    campaign = by_slug(session, slug)
    if campaign is None:
        raise CampaignNotFound(slug)
    return campaign


def all_campaigns(session: Session) -> list[Campaign]:
    """Every campaign, newest first."""
    return list(session.scalars(sa.select(Campaign).order_by(Campaign.id.desc())))


def create(session: Session, **fields) -> Campaign:
    """A new campaign; raises SlugTaken if the slug is in use, EndsBeforeStart on bad dates."""
    check_dates(fields.get("starts_at"), fields.get("ends_at"))
    fields |= {name: None for name in CLEARABLE if fields.get(name) == ""}
    campaign = Campaign(**fields)
    try:
        with session.begin_nested():
            session.add(campaign)
    except IntegrityError:
        raise SlugTaken(fields["slug"]) from None
    return campaign


def update(campaign: Campaign, **fields) -> Campaign:
    """Change the given fields (None means unchanged); a new window recomputes credits."""
    session = object_session(campaign)
    changes = {k: v for k, v in fields.items() if v is not None and getattr(campaign, k) != v}
    changes |= {name: None for name in CLEARABLE if changes.get(name) == ""}
    if "currency" in changes and session is not None:
        # Locked for update: a pledge being verified now (committed_currency) finishes first.
        session.execute(sa.select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
        if has_verified_pledges(session, campaign):
            raise CurrencyLocked(campaign.slug)
    if "starts_at" in changes or "ends_at" in changes:
        check_dates(
            changes.get("starts_at", campaign.starts_at),
            changes.get("ends_at", campaign.ends_at),
            campaign.created_at,
        )
    for name, value in changes.items():
        setattr(campaign, name, value)
    if changes.get("status") == ENDED and session is not None:
        outbox.campaign_ended(session, campaign, utcnow(), "status")  # in this transaction
    if "window_days" in changes and session is not None:
        session.flush()
        engine.recompute_campaign(session, campaign)
    return campaign


def has_verified_pledges(session: Session, campaign: Campaign) -> bool:
    """Whether the campaign has a verified pledge (signed, imported or confirmed by staff): its
    currency is then fixed. An unverified form pledge, which anyone can send, does not fix it;
    it keeps its own currency and cannot be confirmed in another (pledges/review.py)."""
    return (
        session.scalar(
            sa.select(Pledge.id)
            .where(Pledge.campaign_id == campaign.id, Pledge.verified.is_(True))
            .limit(1)
        )
        is not None
    )


def committed_currency(session: Session, campaign: Campaign) -> str:
    """The campaign's currency as last committed, its row share-locked until the transaction
    ends: whoever verifies a pledge against it holds the currency still, and a currency change
    (update(), which locks the row for update) waits for them, as they wait for it. No lock on
    SQLite, whose writers take turns anyway."""
    return session.scalar(
        sa.select(Campaign.currency).where(Campaign.id == campaign.id).with_for_update(read=True)
    )


def is_open(campaign: Campaign) -> bool:
    """Whether the campaign takes new shares and new pledges: only while it is active."""
    return campaign.status == ACTIVE


def progress(raised_minor: int, target_minor: int) -> Fraction:
    """Money raised as an exact fraction of the target: 0 without a target; may pass 1."""
    return Fraction(raised_minor, target_minor) if target_minor > 0 else Fraction(0)
