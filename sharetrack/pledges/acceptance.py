"""Whether a pledge is accepted: the one rule every way in follows.

The webhook and Stripe (through service.check), the hosted form and the import ask `refusal`;
each says no in its own form (422 problem details, a message beside the amount, a refused
line). Every pledge needs the campaign's currency. A new pledge needs at most the campaign's
largest pledge, and a new *ask* (the hosted form) an open campaign (campaigns.service.is_open).
A payment a platform reports (webhook, Stripe: `reported=True`) is recorded whatever the
campaign's state: the money was really given (a checkout finished a minute after staff paused
the campaign, a transfer arriving after its end), and refusing it would leave the total wrong.
A pledge already stored is always followed, whatever the campaign's state or limit is now: its
refund, cancellation or dispute must never be refused.
"""

from __future__ import annotations

from typing import NamedTuple

from ..campaigns.service import is_open
from ..models import Campaign


class Refusal(NamedTuple):
    """Why a pledge is not taken: the field it is about and what to say."""

    field: str
    message: str


def refusal(
    campaign: Campaign,
    currency: str,
    amount_minor: int,
    *,
    taken_in: str,
    stored: bool,
    reported: bool,
) -> Refusal | None:
    """Why this pledge is refused, or None to take it. `taken_in` is the currency the campaign
    takes (campaigns.service.committed_currency); `stored`: the pledge is already recorded;
    `reported`: a platform reports money given, rather than a supporter asking to give."""
    if currency.upper() != taken_in:
        return Refusal("currency", f"the campaign takes {taken_in} only")
    if stored:
        return None
    if not reported and not is_open(campaign):
        return Refusal("campaign", f"the campaign is {campaign.status} and takes no pledges")
    if amount_minor > campaign.max_pledge_minor:
        return Refusal(
            "amount_minor",
            f"the campaign takes pledges of at most {campaign.max_pledge_minor} minor units",
        )
    return None
