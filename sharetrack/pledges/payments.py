"""Stripe: its events stored as pledges, and Checkout Sessions for the hosted pledge form.

The official `stripe` package does the talking (signatures, API calls); this module decides
which campaign a payment belongs to and hands it to `service.record`, so a Stripe payment
follows the same rules as any signed delivery: idempotent, the newest event wins.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import stripe
from sqlalchemy.orm import Session

from ..campaigns import service as campaigns
from ..models import Campaign, Pledge, Share
from ..signing import Tokens
from . import service
from .stripe_events import CAMPAIGN_KEY, REF_KEY, REFS_KEY, THANKS_KEY, Payment, refs_value

log = logging.getLogger(__name__)


class CheckoutUnavailable(Exception):
    """Stripe could not start a Checkout Session (down, refused, or an answer we distrust)."""


def by_payment_intent(session: Session, payment_intent: str) -> Pledge | None:
    """The Stripe pledge of a PaymentIntent, whichever campaign it is in."""
    return session.scalar(
        sa.select(Pledge).where(Pledge.external_id == payment_intent, Pledge.source == "stripe")
    )


def campaign_of(session: Session, tokens: Tokens, payment: Payment) -> Campaign | None:
    """The payment's campaign: its pledge's, else metadata's slug, else its first ref's.

    Raises DeliveryRefused when metadata names an unknown campaign or another than the
    pledge's; None when nothing names one (a payment that is not a pledge of ours).
    """
    stored = by_payment_intent(session, payment.payment_intent)
    named = None
    if payment.campaign is not None:
        named = campaigns.by_slug(session, payment.campaign)
        if named is None:
            raise service.DeliveryRefused("campaign", f"unknown campaign {payment.campaign!r}")
    if stored is not None:
        if named is not None and named.id != stored.campaign_id:
            raise service.DeliveryRefused(
                "campaign", "the payment belongs to another campaign", status=409
            )
        return session.get(Campaign, stored.campaign_id)
    if named is not None:
        return named
    for token, _at in payment.refs:
        share_id = tokens.share_id(token)
        if share_id is not None:
            share = session.get(Share, share_id)
            if share is not None:
                return session.get(Campaign, share.campaign_id)
    return None


@dataclass(frozen=True)
class Stored:
    """What recording a Stripe payment did."""

    pledge: Pledge
    campaign: Campaign
    created: bool
    ignored_refs: int


def record_stripe(session: Session, tokens: Tokens, payment: Payment) -> Stored | None:
    """Store what a Stripe event says; None if it names no campaign. The caller commits.

    Raises DeliveryRefused (nothing stored) for another currency, an amount over the
    campaign's largest pledge, or a campaign that does not match.
    """
    campaign = campaign_of(session, tokens, payment)
    if campaign is None:
        return None
    delivery = service.Delivery(
        external_id=payment.payment_intent,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        status=payment.status,
        occurred_at=payment.occurred_at,
        source="stripe",
    )
    pledge, created, ignored = service.deliver(session, tokens, campaign, delivery, payment.refs)
    if payment.checkout_ref and pledge.checkout_ref is None:
        _keep_checkout_ref(session, pledge, payment.checkout_ref)
    return Stored(pledge, campaign, created, ignored)


def _keep_checkout_ref(session: Session, pledge: Pledge, nonce: str) -> None:
    """Remember the Checkout return's nonce on the pledge, unless another pledge has it (a
    nonce names one payment: a second claim is ignored, never a 500)."""
    taken = session.scalar(sa.select(Pledge.id).where(Pledge.checkout_ref == nonce))
    if taken is None:
        pledge.checkout_ref = nonce
    elif taken != pledge.id:
        log.warning("checkout nonce already kept by pledge %s; not kept again", taken)


def by_checkout_ref(session: Session, nonce: str) -> Pledge | None:
    """The Stripe pledge a Checkout return's nonce names, once its webhook has arrived."""
    return session.scalar(sa.select(Pledge).where(Pledge.checkout_ref == nonce))


def checkout_url(
    *,
    secret_key: str,
    api_base: str | None,
    checkout_origin: str,
    campaign: Campaign,
    amount_minor: int,
    ref: str | None,
    touches: Sequence[tuple[str, dt.datetime]] = (),
    return_url: str,
    success_url: str,
    nonce: str,
) -> str:
    """Start a Stripe Checkout Session for a pledge; returns the page to send the supporter to.

    The campaign and the ref ride in the session's metadata and the PaymentIntent's, so the
    webhook events of this payment (paid, refunded, disputed) find the pledge and its link;
    `nonce` too, which the pledge keeps so that `success_url` (its signed token) finds it.
    """
    metadata = {CAMPAIGN_KEY: campaign.slug, THANKS_KEY: nonce} | ({REF_KEY: ref} if ref else {})
    if listed := refs_value(list(touches)):
        metadata[REFS_KEY] = listed  # the browser's earlier arrivals, for multi-touch models
    client = stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=0,  # the supporter is waiting: fail fast, they can press again
    )
    try:
        checkout = client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": campaign.currency.lower(),
                            "unit_amount": amount_minor,
                            "product_data": {"name": campaign.title},
                        },
                    }
                ],
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata},
                "success_url": success_url,
                "cancel_url": return_url,
            }
        )
    except stripe.StripeError as exc:
        log.warning("stripe checkout for %s not started: %s", campaign.slug, exc)
        raise CheckoutUnavailable(str(exc)) from None
    url = checkout.url or ""
    if not url.startswith(checkout_origin.rstrip("/") + "/"):
        # Only Stripe's own page is a place we send supporters (and CSP form-action allows).
        log.warning("stripe checkout for %s answered an unexpected url", campaign.slug)
        raise CheckoutUnavailable("unexpected checkout url")
    return url
