"""The demo campaign `make run` loads into an empty database: shares, visits and pledges."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .links import service as links
from .models import ACTIVE, Campaign, Click, Share, utcnow
from .pledges import service as pledges
from .signing import Tokens

DEMO_SLUG = "demo"
SUMMARY = (
    "The government wants powers to read everyone's messages in bulk. We are taking it to "
    "court to stop it.\n\n"
    "Every pledge pays for lawyers and expert evidence. Every share helps: below, make your "
    "own link and see what your shares raise."
)
# (name, channels, index of the share they arrived through or None)
PROMOTERS = [
    ("Ana", ("facebook", "whatsapp"), None),
    ("Ben", ("x", "bluesky"), 0),
    ("Chi", ("whatsapp",), 1),
    ("Dev", ("email", "link"), 2),
    ("Eve", ("telegram",), 4),
    ("Fay", ("facebook", "reddit"), 5),
]


def load(session: Session, base_url: str, seed: int = 7) -> Campaign:
    """A campaign taking pledges on its page, with promoters, cascades, visits and pledges."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo data, not a secret
    now = utcnow().replace(microsecond=0)
    campaign = Campaign(
        slug=DEMO_SLUG,
        title="Stop bulk interception: our legal challenge",
        landing_url=f"{base_url.rstrip('/')}/c/{DEMO_SLUG}",
        currency="GBP",
        target_minor=1_000_000,
        window_days=30,
        status=ACTIVE,
        pledge_page=True,
        summary=SUMMARY,
        created_at=now - dt.timedelta(days=22),
    )
    session.add(campaign)
    session.flush()
    promoter = links.create_promoter(session, display_name="Demo promoter")
    shares: list[Share] = []
    for channel in ("facebook", "x", "whatsapp", "email", "link"):
        share, _ = links.get_or_create_share(
            session, campaign=campaign, promoter=promoter, channel=channel, parent_id=None
        )
        share.created_at = now - dt.timedelta(days=21)
        shares.append(share)
    for i, (name, channels, parent) in enumerate(PROMOTERS):
        person = links.create_promoter(session, display_name=name)
        for channel in channels:
            share, _ = links.get_or_create_share(
                session,
                campaign=campaign,
                promoter=person,
                channel=channel,
                parent_id=shares[parent].id if parent is not None else None,
            )
            share.created_at = now - dt.timedelta(days=20 - 3 * i, hours=rng.randrange(24))
            shares.append(share)
    session.flush()
    _visits(session, rng, shares, now)
    _pledges(session, rng, campaign, shares, now)
    return campaign


def _visits(session: Session, rng: random.Random, shares: list[Share], now: dt.datetime):
    rows = []
    for share in shares:
        popularity = rng.choice([5, 10, 20, 40])
        for _ in range(popularity):
            at = share.created_at + dt.timedelta(hours=rng.expovariate(1 / 48))
            bot = rng.random() < 0.1
            rows.append(
                {
                    "share_id": share.id,
                    "at": min(at, now),
                    "is_bot": bot,
                    # Four in five human visits are a visitor's first of the day (a value of
                    # their own); repeats carry none, as once their hashes have expired.
                    "visitor_hash": rng.randbytes(16) if not bot and rng.random() < 0.8 else None,
                    "is_scan": False,
                    "referrer_host": None,
                }
            )
    session.execute(sa.insert(Click), rows)


def _pledges(
    session: Session, rng: random.Random, campaign: Campaign, shares: list[Share], now
) -> None:
    for i in range(36):
        touched = rng.sample(shares, rng.choice([1, 1, 2, 3]))
        last = max(s.created_at for s in touched)
        at = min(now, last + dt.timedelta(hours=rng.expovariate(1 / 30)))
        touches = tuple(
            (s.id, min(at, s.created_at + dt.timedelta(hours=rng.random() * 12))) for s in touched
        )
        if rng.random() < 0.15:
            touches = ()  # someone who came without a link
        amount = rng.choice([500, 1000, 1000, 2000, 2500, 5000, 10000])
        delivery = pledges.Delivery(
            f"demo-{i}", amount, "GBP", rng.choice(["paid", "paid", "pledged"]), at, touches
        )
        pledges.record(session, campaign, delivery)
        if i % 12 == 5:  # a few are refunded later, and lose their credit
            pledges.record(
                session,
                campaign,
                pledges.Delivery(
                    f"demo-{i}", amount, "GBP", "refunded", at + dt.timedelta(days=1), touches
                ),
            )


def demo_link_token(session: Session, tokens: Tokens) -> str | None:
    """A working link of the demo campaign, if it exists."""
    share_id = session.scalar(
        sa.select(Share.id)
        .join(Campaign, Campaign.id == Share.campaign_id)
        .where(Campaign.slug == DEMO_SLUG, Share.channel == "facebook")
        .order_by(Share.id)
        .limit(1)
    )
    return tokens.share_token(share_id) if share_id else None
