"""Share links: resolving a token's target and creating shares."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..campaigns.service import is_open
from ..channels import PUBLIC_CHANNELS
from ..models import Campaign, Promoter, Share
from ..signing import ALPHABET, Tokens, b32encode_int

PROMOTER_CODE_LENGTH = 16  # 80 random bits


class ShareRefused(Exception):
    """A share cannot be made as asked: which field, why, and the HTTP status that says so."""

    def __init__(self, field: str, message: str, status: int = 422, slug: str | None = None):
        super().__init__(message)
        self.field, self.message, self.status, self.slug = field, message, status, slug


@dataclass(frozen=True)
class Target:
    """Everything the redirect needs about a share, read in one query."""

    share_id: int
    channel: str
    campaign_slug: str
    landing_url: str
    window_days: int
    promoter_code: str | None


def new_promoter_code() -> str:
    """A promoter's public code: 80 random bits in 16 base32 characters (it proves nothing)."""
    return b32encode_int(int.from_bytes(secrets.token_bytes(10))).rjust(PROMOTER_CODE_LENGTH, "0")


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


def promotes(session: Session, promoter_id: int, campaign_id: int) -> bool:
    """Whether the promoter has a link to this campaign."""
    found = sa.select(Share.id).where(
        Share.promoter_id == promoter_id, Share.campaign_id == campaign_id
    )
    return session.scalar(found.limit(1)) is not None


# Built once: QR images check their share on every request, and this skips rebuilding it.
_SHARE_EXISTS = sa.select(Share.id).where(Share.id == sa.bindparam("share_id"))


def share_exists(session: Session, share_id: int) -> bool:
    """Whether a share with this id exists (one primary-key lookup)."""
    return session.scalar(_SHARE_EXISTS, {"share_id": share_id}) is not None


def parent_for(
    session: Session,
    tokens: Tokens,
    campaign_id: int,
    token: str | None,
    arrivals: Iterable[int] = (),
) -> int | None:
    """The parent share: the given link's, else the latest arrival (share ids, oldest first)."""
    if token is not None:
        parent_id = tokens.share_id(token)
        parent = session.get(Share, parent_id) if parent_id else None
        if parent is None or parent.campaign_id != campaign_id:
            raise ShareRefused("parent", "not a link of this campaign")
        return parent.id
    for share_id in reversed(list(arrivals)):
        parent = session.get(Share, share_id)
        if parent is not None and parent.campaign_id == campaign_id:
            return parent.id
    return None


def check_shareable(campaign: Campaign, channel: str) -> None:
    """ShareRefused unless anyone may make a link to this campaign on this channel now."""
    if channel not in PUBLIC_CHANNELS:
        message = (
            "leaflet links are made by staff as leaflet batches"
            if channel == "leaflet"
            else f"unknown channel {channel!r}; one of {', '.join(PUBLIC_CHANNELS)}"
        )
        raise ShareRefused("channel", message)
    if not is_open(campaign):
        raise ShareRefused(
            "campaign",
            f"Campaign {campaign.slug!r} is {campaign.status}.",
            status=409,
            slug="campaign-not-active",
        )
