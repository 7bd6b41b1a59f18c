"""A promoter's own data: everything we hold about them (export) and its erasure."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ..links.service import new_promoter_code
from ..models import Promoter, utcnow
from ..periods import iso_utc
from . import identity
from .service import campaigns_of

WHAT_IS_NOT_KEPT = (
    "sharetrack keeps no IP addresses, user agents or full referrer URLs of the people who "
    "follow your links; only counts."
)


def export(session: Session, promoter: Promoter, link_url: Callable[[int], str]) -> dict:
    """Everything stored about a promoter, as JSON-ready data."""
    return {
        "exported_at": iso_utc(utcnow()),
        "promoter": {
            "code": promoter.code,
            "display_name": promoter.display_name,
            # Never the address: the keyed hash kept to send the page's address again.
            "email_hash": promoter.email_hash,
            # Whether notes are on; the address itself is what the promoter gave for them.
            "notes": promoter.notes_address is not None,
            "created_at": iso_utc(promoter.created_at),
        },
        "campaigns": [
            {
                "campaign": campaign.slug,
                "title": campaign.title,
                "links": [
                    {
                        "channel": link.channel,
                        "url": link_url(link.share_id),
                        "created_at": iso_utc(link.created_at),
                        "clicks": link.clicks,
                        "unique_clicks": link.unique_clicks,
                    }
                    for link in campaign.links
                ],
            }
            for campaign in campaigns_of(session, promoter.id)
        ],
        "not_kept": WHAT_IS_NOT_KEPT,
    }


def erase(promoter: Promoter) -> None:
    """Erase the name, the email hash and the notes' address; a new secret and a new code.

    The new secret stops every page address and cookie that named the person from working, and
    the new code ties no later visit to the old one, so their shares stay (links keep
    redirecting, counts keep adding up) as anonymous history.
    """
    promoter.display_name = None
    promoter.email_hash = None
    promoter.notes_address = None  # the notes' address, encrypted: gone, and no more notes
    promoter.notes_since = None
    promoter.code = new_promoter_code()
    identity.rekey(promoter)
