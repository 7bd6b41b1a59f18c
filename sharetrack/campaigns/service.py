"""Creating, changing and reading campaigns."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Campaign

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class SlugTaken(Exception):
    """Another campaign already has this slug."""


def by_slug(session: Session, slug: str) -> Campaign | None:
    """The campaign with this slug, or None (a malformed slug is never looked up)."""
    if not SLUG_RE.fullmatch(slug):
        return None
    return session.scalar(sa.select(Campaign).where(Campaign.slug == slug))


def all_campaigns(session: Session) -> list[Campaign]:
    """Every campaign, newest first."""
    return list(session.scalars(sa.select(Campaign).order_by(Campaign.id.desc())))


def create(session: Session, **fields) -> Campaign:
    """A new campaign; raises SlugTaken if the slug is in use."""
    campaign = Campaign(**fields)
    try:
        with session.begin_nested():
            session.add(campaign)
    except IntegrityError:
        raise SlugTaken(fields["slug"]) from None
    return campaign


def update(campaign: Campaign, **fields) -> Campaign:
    """Change the given fields (None means unchanged)."""
    for name, value in fields.items():
        if value is not None:
            setattr(campaign, name, value)
    return campaign


def as_json(campaign: Campaign) -> dict:
    """The API form of a campaign."""
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "landing_url": campaign.landing_url,
        "currency": campaign.currency,
        "target_minor": campaign.target_minor,
        "window_days": campaign.window_days,
        "status": campaign.status,
        "created_at": campaign.created_at.isoformat() + "Z",
    }
