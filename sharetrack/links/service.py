"""Share links: resolving a token's target and creating shares."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Campaign, Promoter, Share
from .tokens import ALPHABET

PROMOTER_CODE_LENGTH = 16  # 80 random bits


@dataclass(frozen=True)
class Target:
    """Everything the redirect needs about a share, read in one query."""

    share_id: int
    channel: str
    campaign_slug: str
    landing_url: str
    window_days: int
    promoter_code: str | None


def resolve(session: Session, share_id: int) -> Target | None:
    """The redirect target of a share, or None if the share does not exist."""
    row = session.execute(
        sa.select(
            Share.id,
            Share.channel,
            Campaign.slug,
            Campaign.landing_url,
            Campaign.window_days,
            Promoter.code,
        )
        .join(Campaign, Campaign.id == Share.campaign_id)
        .outerjoin(Promoter, Promoter.id == Share.promoter_id)
        .where(Share.id == share_id)
    ).first()
    return Target(*row) if row else None


def new_promoter_code() -> str:
    """An unguessable promoter code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(PROMOTER_CODE_LENGTH))


def create_promoter(session: Session, display_name: str | None = None) -> Promoter:
    """A new promoter, anonymous unless named."""
    promoter = Promoter(code=new_promoter_code(), display_name=display_name)
    session.add(promoter)
    session.flush()
    return promoter


def promoter_by_code(session: Session, code: str) -> Promoter | None:
    """The promoter with this public code (malformed codes are never looked up)."""
    if not (0 < len(code) <= 32 and all(c in ALPHABET for c in code)):
        return None
    return session.scalar(sa.select(Promoter).where(Promoter.code == code))


def get_or_create_share(
    session: Session,
    *,
    campaign: Campaign,
    promoter: Promoter,
    channel: str,
    parent_id: int | None,
) -> tuple[Share, bool]:
    """The promoter's link for this campaign and channel, made if missing; (share, created)."""
    existing = _find_share(session, campaign.id, promoter.id, channel)
    if existing is not None:
        return existing, False
    share = Share(
        campaign_id=campaign.id, promoter_id=promoter.id, channel=channel, parent_id=parent_id
    )
    try:
        with session.begin_nested():
            session.add(share)
    except IntegrityError:
        # Another request made the same link at the same moment; theirs is the link.
        existing = _find_share(session, campaign.id, promoter.id, channel)
        if existing is None:
            raise
        return existing, False
    return share, True


def _find_share(session: Session, campaign_id: int, promoter_id: int, channel: str) -> Share | None:
    return session.scalar(
        sa.select(Share).where(
            Share.campaign_id == campaign_id,
            Share.promoter_id == promoter_id,
            Share.channel == channel,
        )
    )
