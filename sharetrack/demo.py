"""The demo campaign `make run` loads into an empty database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .links import service as links
from .links.tokens import Tokens
from .models import Campaign, Share

DEMO_SLUG = "demo"


def load(session: Session, base_url: str) -> Campaign:
    """A campaign with one promoter and a link per channel."""
    campaign = Campaign(
        slug=DEMO_SLUG,
        title="Stop bulk interception: our legal challenge",
        landing_url=f"{base_url.rstrip('/')}/c/{DEMO_SLUG}",
        currency="GBP",
        target_minor=1_000_000,
        window_days=30,
        status="active",
    )
    session.add(campaign)
    session.flush()
    promoter = links.create_promoter(session, display_name="Demo promoter")
    for channel in ("facebook", "x", "whatsapp", "email", "link"):
        links.get_or_create_share(
            session, campaign=campaign, promoter=promoter, channel=channel, parent_id=None
        )
    return campaign


def demo_link_token(session: Session, tokens: Tokens) -> str | None:
    """A working link of the demo campaign, if it exists."""
    share_id = session.scalar(
        sa.select(Share.id)
        .join(Campaign, Campaign.id == Share.campaign_id)
        .where(Campaign.slug == DEMO_SLUG, Share.channel == "facebook")
        .limit(1)
    )
    return tokens.share_token(share_id) if share_id else None
