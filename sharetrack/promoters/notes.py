"""Notes to promoters who ask for them: at most one a day, "Your links raised £45 for <campaign>
today: 2 pledges", with their page's address and a one-click unsubscribe (RFC 8058).

Separate from the way back (identity.email_hash): the address is kept only once the promoter
asks, encrypted with NOTES_KEYS (MultiFernet: the first key encrypts, every key decrypts, and
each daily run re-encrypts with the first), and only for this. It is deleted on unsubscribe,
on erasure, and NOTES_RETENTION_DAYS after the promoter's campaigns end (purge).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.orm import Session

from ..models import ENDED, Campaign, Pledge, PledgeCredit, Promoter, Share, utcnow
from ..signing import Tokens
from . import identity

DAY = dt.timedelta(days=1)


class NotesRefused(ValueError):
    """Notes cannot be turned on: the message says why (a bad address, no mail)."""


def cipher(keys: list[str]) -> MultiFernet:
    """The keys' cipher: the first encrypts, each decrypts."""
    return MultiFernet([Fernet(key) for key in keys])


def opt_in(promoter: Promoter, email: str, keys: list[str], now: dt.datetime) -> None:
    """Keep the (checked) address, encrypted, for notes; counting starts now."""
    try:
        address = identity.checked_email(email)
    except identity.BadEmail as bad:
        raise NotesRefused(str(bad)) from None
    promoter.notes_address = cipher(keys).encrypt(address.encode()).decode()
    promoter.notes_since = now


def opt_out(promoter: Promoter) -> None:
    """Forget the address: no more notes."""
    promoter.notes_address = None
    promoter.notes_since = None


def address_of(promoter: Promoter, keys: list[str]) -> str | None:
    """The address notes go to, or None (none kept, or under a key no longer configured)."""
    if not promoter.notes_address:
        return None
    try:
        return cipher(keys).decrypt(promoter.notes_address.encode()).decode()
    except InvalidToken:
        return None


def by_unsubscribe_token(session: Session, tokens: Tokens, token: str) -> Promoter | None:
    """The promoter an unsubscribe token names, or None (forged, or erased since)."""
    if not token or len(token) > identity.MAX_KEY_LENGTH:
        return None
    promoter_id = tokens.signed_promoter_id(token)
    promoter = session.get(Promoter, promoter_id) if promoter_id else None
    if promoter is None or not promoter.key_secret:
        return None
    return (
        promoter if tokens.notes_unsubscribe_ok(token, promoter.id, promoter.key_secret) else None
    )


@dataclass(frozen=True)
class Raised:
    """What a promoter's links raised for one campaign in a note's period: counted money only."""

    campaign: str
    currency: str
    minor: int
    pledges: int


def raised(session: Session, promoter_id: int, since: dt.datetime, until: dt.datetime) -> list:
    """Credits to the promoter's links under each campaign's own model, from counted pledges
    made in [since, until), per campaign."""
    rows = session.execute(
        sa.select(
            Campaign.title,
            Campaign.currency,
            sa.func.sum(PledgeCredit.amount_minor),
            sa.func.count(sa.distinct(PledgeCredit.pledge_id)),
        )
        .join(Share, Share.id == PledgeCredit.share_id)
        .join(Campaign, Campaign.id == PledgeCredit.campaign_id)
        .join(Pledge, Pledge.id == PledgeCredit.pledge_id)
        .where(
            Share.promoter_id == promoter_id,
            PledgeCredit.model == Campaign.attribution_model,
            Pledge.counted,
            PledgeCredit.pledged_at >= since,
            PledgeCredit.pledged_at < until,
        )
        .group_by(Campaign.id, Campaign.title, Campaign.currency)
        .order_by(Campaign.id)
    ).all()
    return [Raised(title, currency, int(minor), int(n)) for title, currency, minor, n in rows]


@dataclass(frozen=True)
class Due:
    """A note to send: to whom, what it says, and where its links go."""

    promoter_id: int
    address: str
    raised: list[Raised]
    page_key: str
    unsubscribe_token: str


def due(session: Session, tokens: Tokens, keys: list[str], now: dt.datetime) -> list[Due]:
    """The notes to send now: promoters asking for them, whose last note (or ask) is a day old,
    whose links raised money since. Each is re-encrypted under the first key on the way."""
    out = []
    box = cipher(keys)
    for promoter in session.scalars(
        sa.select(Promoter).where(
            Promoter.notes_address.is_not(None), Promoter.notes_since <= now - DAY
        )
    ):
        address = address_of(promoter, keys)
        if address is None:
            continue
        promoter.notes_address = box.rotate(promoter.notes_address.encode()).decode()
        # Everything since the last note (or the ask): no pledge falls between two notes.
        figures = [
            r for r in raised(session, promoter.id, promoter.notes_since, now) if r.minor > 0
        ]
        if figures:
            secret = identity.secret_of(promoter)
            key = identity.private_key(tokens, promoter)
            out.append(
                Due(
                    promoter.id,
                    address,
                    figures,
                    key,
                    tokens.notes_unsubscribe(promoter.id, secret),
                )
            )
    return out


def mark_sent(session: Session, promoter_id: int, now: dt.datetime) -> None:
    """The promoter's note went: the next covers what comes after."""
    promoter = session.get(Promoter, promoter_id)
    if promoter is not None:
        promoter.notes_since = now


def purge(session: Session, retention_days: int, now: dt.datetime | None = None) -> int:
    """Delete the addresses of promoters whose campaigns all ended more than `retention_days`
    ago (a campaign ended without an end date counts from now: nothing more will come).
    Returns how many were deleted."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=retention_days)
    deleted = 0
    for promoter in session.scalars(sa.select(Promoter).where(Promoter.notes_address.is_not(None))):
        campaigns = session.scalars(
            sa.select(Campaign).join(Share).where(Share.promoter_id == promoter.id).distinct()
        ).all()
        if all(_ended_before(c, cutoff) for c in campaigns):
            opt_out(promoter)
            deleted += 1
    return deleted


def _ended_before(campaign: Campaign, cutoff: dt.datetime) -> bool:
    if campaign.ends_at is not None:
        return campaign.ends_at < cutoff
    return campaign.status == ENDED
