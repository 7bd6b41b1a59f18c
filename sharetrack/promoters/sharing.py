"""Making a promoter's link: the one flow behind POST /api/v1/shares and both share buttons.

Who the promoter is comes from their private key, else this browser's promoter cookie, else a
new anonymous promoter; never from the public code. The views only translate ShareRefused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..experiments import service as experiments
from ..links import service as links
from ..links.service import ShareRefused
from ..models import Campaign, Promoter, Share
from ..periods import iso_utc
from ..signing import Tokens
from ..webhooks import outbox
from . import identity

__all__ = ["ShareRefused", "Shared", "share"]

NO_MAIL = "This service sends no email; leave the address out."


@dataclass(frozen=True)
class Shared:
    """The promoter's link, whether it is new, and whose it is."""

    share: Share
    created: bool
    promoter: Promoter
    email: str | None  # the checked address to send the page's address to, if one was given


def share(
    session: Session,
    tokens: Tokens,
    *,
    campaign: Campaign,
    channel: str,
    promoter_key: str | None = None,
    browser: str | None = None,
    parent_token: str | None = None,
    arrivals: Iterable[int] = (),
    email: str | None = None,
    can_mail: bool = False,
    variant_id: int | None = None,
) -> Shared:
    """The promoter's link for this campaign and channel, made if missing.

    A new link records the experiment variant of the page view it was made from, if that is
    a variant of the campaign's running experiment (anything else records none: the id is
    not a credential, only a label). Every refusal (ShareRefused) comes before anything is
    written.
    """
    links.check_shareable(campaign, channel)
    address = _address(email, can_mail)
    promoter = _known_promoter(session, tokens, campaign, promoter_key, browser)
    parent_id = links.parent_for(session, tokens, campaign.id, parent_token, arrivals)
    if promoter is None:
        promoter = links.create_promoter(session)
    link, created = links.get_or_create_share(
        session, campaign=campaign, promoter=promoter, channel=channel, parent_id=parent_id
    )
    if created:
        link.variant_id = experiments.variant_for_share(session, campaign.id, variant_id)
        announce(session, campaign, link)
    identity.secret_of(promoter)
    if address is not None:
        identity.remember_email(tokens, promoter, address)
    return Shared(link, created, promoter, address)


def announce(session: Session, campaign: Campaign, link: Share) -> None:
    """Queue share.created in the caller's transaction: ids and the channel, no promoter."""
    outbox.emit(
        session,
        "share.created",
        {
            "share": {
                "id": link.id,
                "channel": link.channel,
                "parent_share_id": link.parent_id,
                "created_at": iso_utc(link.created_at),
            },
            "campaign": {"id": campaign.id, "slug": campaign.slug},
            "channel": link.channel,
        },
    )


def _address(email: str | None, can_mail: bool) -> str | None:
    if email is None:
        return None
    if not can_mail:
        # The client's to fix (leave the address out): a 4xx, as every bad input is.
        raise ShareRefused("email", NO_MAIL)
    try:
        return identity.checked_email(email)
    except identity.BadEmail as bad:
        raise ShareRefused("email", str(bad)) from None


def _known_promoter(
    session: Session,
    tokens: Tokens,
    campaign: Campaign,
    key: str | None,
    browser: str | None,
) -> Promoter | None:
    """The promoter the key names (refused if it names none, or one not sharing this
    campaign), else the browser's own, else None (a new one is made)."""
    if key is not None:
        promoter = identity.by_key(session, tokens, key)
        if promoter is None:
            raise ShareRefused("promoter_key", "is not the key of any promoter")
        if not links.promotes(session, promoter.id, campaign.id):
            raise ShareRefused(
                "promoter_key",
                "belongs to a promoter of another campaign; share this one without a key",
            )
        return promoter
    return identity.by_browser(session, tokens, browser)
