"""Pledges, the shares that led to them, staff reviews, stored credits and imported files."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import (
    ATTRIBUTION_MODELS,
    LIVE_STATUSES,
    MAX_AMOUNT_MINOR,
    PLEDGE_SOURCES,
    PLEDGE_STATUSES,
    UNVERIFIED_SOURCES,
    BigId,
    in_,
    utcnow,
)


class Pledge(db.Model):
    """A pledge as the platform that takes the money last described it."""

    __tablename__ = "pledges"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "external_id"),
        sa.CheckConstraint(
            f"amount_minor > 0 AND amount_minor <= {MAX_AMOUNT_MINOR}", name="amount_range"
        ),
        sa.CheckConstraint(in_("status", PLEDGE_STATUSES), name="status_known"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.CheckConstraint(in_("source", PLEDGE_SOURCES), name="source_known"),
        # Only the hosted form makes pledges nobody vouched for.
        sa.CheckConstraint(
            f"verified OR {in_('source', UNVERIFIED_SOURCES)}", name="verified_unless_form"
        ),
        sa.Index("ix_pledges_campaign_id_pledged_at", "campaign_id", "pledged_at"),
        # Payment platform events name the payment, not the campaign (refunds, disputes).
        sa.Index("ix_pledges_external_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    external_id: Mapped[str] = mapped_column(sa.String(128))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16))
    # When the pledge was made: the earliest occurred_at of any delivery. Attribution's clock.
    pledged_at: Mapped[dt.datetime] = mapped_column()
    # The occurred_at of the delivery that set the status: only a newer one replaces it.
    occurred_at: Mapped[dt.datetime] = mapped_column()
    # A name the supporter chose to give on the hosted page; never required.
    supporter_name: Mapped[str | None] = mapped_column(sa.String(80))
    # The supporter ticked "show my name": the hosted page's "Recent support" may name them.
    show_name: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    source: Mapped[str] = mapped_column(sa.String(16), default="webhook", server_default="webhook")
    # Vouched for by a signature or by staff; false only for form pledges nobody confirmed yet.
    verified: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # A Stripe Checkout pledge's random thank-you nonce (metadata.sharetrack_thanks), found by
    # the signed token of the Checkout return address (ADR 0403). Random: nothing personal.
    checkout_ref: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def live(self) -> bool:
        """Pledged or paid: not refunded or cancelled."""
        return self.status in LIVE_STATUSES

    @hybrid_property
    def counted(self) -> bool:
        """Verified and live: the one rule for what counts toward totals and carries credit.

        In SQL too (`Pledge.counted` in a where clause), so every reader uses this rule.
        """
        return self.verified and self.status in LIVE_STATUSES

    @counted.inplace.expression
    @classmethod
    def _counted_expression(cls):
        return sa.and_(cls.verified.is_(True), cls.status.in_(LIVE_STATUSES))

    @hybrid_property
    def unconfirmed(self) -> bool:
        """Live but nobody vouched for it yet: a form pledge awaiting payment or staff."""
        return not self.verified and self.status in LIVE_STATUSES

    @unconfirmed.inplace.expression
    @classmethod
    def _unconfirmed_expression(cls):
        return sa.and_(cls.verified.is_(False), cls.status.in_(LIVE_STATUSES))


class PledgeTouch(db.Model):
    """A share that led to a pledge, and when the supporter arrived through it."""

    __tablename__ = "pledge_touches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pledges.id", ondelete="CASCADE"), index=True
    )
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("shares.id"), index=True)
    # None: a bare `ref` token, whose arrival is taken to be the moment of the pledge.
    at: Mapped[dt.datetime | None] = mapped_column()


class PledgeReview(db.Model):
    """One staff decision on a pledge (confirm or void): who, when, from what to what."""

    __tablename__ = "pledge_reviews"
    __table_args__ = (
        sa.CheckConstraint(in_("from_status", PLEDGE_STATUSES), name="from_status_known"),
        sa.CheckConstraint(in_("to_status", PLEDGE_STATUSES), name="to_status_known"),
        sa.Index("ix_pledge_reviews_campaign_id_at", "campaign_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pledges.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # "staff:<email>" or "api-key:<prefix> <name>": kept as text so it outlives the account.
    actor: Mapped[str] = mapped_column(sa.String(300))
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    from_verified: Mapped[bool] = mapped_column()
    to_verified: Mapped[bool] = mapped_column()


class PledgeCredit(db.Model):
    """The money one share earned from one counted pledge under one model (never zero).

    Written whenever a pledge is recorded or changes, for every model at once, so a report
    is a plain sum and switching the model loses and recomputes nothing.
    """

    __tablename__ = "pledge_credits"
    __table_args__ = (
        sa.CheckConstraint(in_("model", ATTRIBUTION_MODELS), name="model_known"),
        sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
        # Covering: every report query on credits reads this index alone.
        sa.Index(
            "ix_pledge_credits_campaign_id_model",
            "campaign_id",
            "model",
            "share_id",
            "pledge_id",
            "pledged_at",
            "amount_minor",
        ),
    )

    pledge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pledges.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("shares.id"), primary_key=True)
    # Copies of the pledge's campaign and time, so reports aggregate without a join.
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    pledged_at: Mapped[dt.datetime] = mapped_column()
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)


class ImportFile(db.Model):
    """A file `flask import` stored, by its SHA-256: the same file is not imported twice."""

    __tablename__ = "import_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    lines: Mapped[int] = mapped_column()
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
