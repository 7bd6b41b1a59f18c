"""Campaigns, their promoters, their shares (links) and the leaflet batches printed for them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..channels import CHANNELS
from ..extensions import db
from .common import (
    ACTIVE,
    ATTRIBUTION_MODELS,
    CAMPAIGN_STATUSES,
    DEFAULT_ATTRIBUTION_MODEL,
    DEFAULT_MAX_PLEDGE_MINOR,
    MAX_AMOUNT_MINOR,
    MAX_ORGANISER_LENGTH,
    MAX_PROMOTER_CODE_LENGTH,
    MAX_SLUG_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_WINDOW_DAYS,
    BigId,
    in_,
    new_key_secret,
    utcnow,
)


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("target_minor >= 0", name="target_not_negative"),
        sa.CheckConstraint(f"window_days BETWEEN 1 AND {MAX_WINDOW_DAYS}", name="window_range"),
        sa.CheckConstraint(in_("status", CAMPAIGN_STATUSES), name="status_known"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.CheckConstraint(
            in_("attribution_model", ATTRIBUTION_MODELS), name="attribution_model_known"
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="ends_after_start"
        ),
        sa.CheckConstraint(
            f"max_pledge_minor > 0 AND max_pledge_minor <= {MAX_AMOUNT_MINOR}",
            name="max_pledge_range",
        ),
        sa.CheckConstraint("accent_color IS NULL OR length(accent_color) = 7", name="accent_hex"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(MAX_SLUG_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE_LENGTH))
    landing_url: Mapped[str] = mapped_column(sa.String(2000))
    currency: Mapped[str] = mapped_column(sa.String(3), default="GBP")
    target_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    window_days: Mapped[int] = mapped_column(sa.Integer, default=30)
    status: Mapped[str] = mapped_column(sa.String(16), default=ACTIVE)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The credit model reports use unless a request names another; every model is kept.
    attribution_model: Mapped[str] = mapped_column(
        sa.String(16), default=DEFAULT_ATTRIBUTION_MODEL, server_default=DEFAULT_ATTRIBUTION_MODEL
    )
    # Takes pledges on its own hosted page, /c/<slug>.
    pledge_page: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The case, in plain text, shown on the hosted page.
    summary: Mapped[str | None] = mapped_column(sa.Text)
    # How to pay without Stripe, in the organiser's words (plain text): the thank-you page's.
    payment_instructions: Mapped[str | None] = mapped_column(sa.Text)
    # When it runs: starts_at None means from its creation (`opens_at`), ends_at None open-ended.
    starts_at: Mapped[dt.datetime | None] = mapped_column()
    ends_at: Mapped[dt.datetime | None] = mapped_column()

    @property
    def opens_at(self) -> dt.datetime:
        """When the campaign started: `starts_at`, else its creation."""
        return self.starts_at or self.created_at

    # The largest pledge taken at once: the hosted form and the webhooks refuse more.
    max_pledge_minor: Mapped[int] = mapped_column(
        sa.BigInteger,
        default=DEFAULT_MAX_PLEDGE_MINOR,
        server_default=str(DEFAULT_MAX_PLEDGE_MINOR),
    )

    # Whose campaign it is: public pages and the social card name the organiser, not the tool
    # (None: they name the campaign's title). The colour is checked by colors.accent_refusal.
    organiser_name: Mapped[str | None] = mapped_column(sa.String(MAX_ORGANISER_LENGTH))
    organiser_url: Mapped[str | None] = mapped_column(sa.String(2000))
    accent_color: Mapped[str | None] = mapped_column(sa.String(7))
    # The invitation to share on the hosted page, its prefilled message and the social card's
    # line: None keeps the built-in words. Ending an experiment with a variant kept sets them.
    ask_heading: Mapped[str | None] = mapped_column(sa.String(120))
    ask_text: Mapped[str | None] = mapped_column(sa.Text)
    ask_share_text: Mapped[str | None] = mapped_column(sa.String(280))
    ask_card_headline: Mapped[str | None] = mapped_column(sa.String(120))

    shares: Mapped[list[Share]] = relationship(back_populates="campaign")
    # Newest first, as the hosted page shows them.
    updates: Mapped[list[CampaignUpdate]] = relationship(
        back_populates="campaign",
        order_by="(CampaignUpdate.posted_at.desc(), CampaignUpdate.id.desc())",
        cascade="all, delete-orphan",
    )


class CampaignUpdate(db.Model):
    """A dated update staff post on a campaign ("We did it!"), shown on its hosted page."""

    __tablename__ = "campaign_updates"
    __table_args__ = (sa.CheckConstraint("length(title) > 0", name="title_not_empty"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE_LENGTH))
    body: Mapped[str] = mapped_column(sa.Text)
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column()

    campaign: Mapped[Campaign] = relationship(back_populates="updates")


MAX_NOTES_TOKEN_LENGTH = 512  # a Fernet token of a 254-character address is 420 characters


class Promoter(db.Model):
    __tablename__ = "promoters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Public code (80 random bits): utm_content, reports and CSV carry it. It proves nothing.
    code: Mapped[str] = mapped_column(sa.String(MAX_PROMOTER_CODE_LENGTH), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(80))
    # Addresses are never stored (only email_hash): migration 0006 emptied this column, nothing
    # writes it, and a later release drops it (the previous release still names it).
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Random, never shown: the private key (/p/<key>) and the cookie are signed over it
    # (promoters/identity.py). NULL only for rows an older release made; filled on first use.
    key_secret: Mapped[str | None] = mapped_column(sa.String(32), default=new_key_secret)
    # Whether the old page address and cookie (signed over the code) still name this promoter:
    # false once the code went out in utm_content, or after an erase (ADR 0504).
    legacy_key: Mapped[bool] = mapped_column(default=False, server_default=sa.true())
    # HMAC of the address the promoter gave, to send their page's address again; never the
    # address itself.
    email_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # Only if the promoter asked for notes of what their links raise: the address, encrypted
    # (Fernet, NOTES_KEYS; promoters/notes.py), for that alone. Deleted on unsubscribe, erasure,
    # and NOTES_RETENTION_DAYS after their campaigns end.
    notes_address: Mapped[str | None] = mapped_column(sa.String(MAX_NOTES_TOKEN_LENGTH))
    # When the last note went (at most one a day), or when notes were asked for.
    notes_since: Mapped[dt.datetime | None] = mapped_column()

    shares: Mapped[list[Share]] = relationship(back_populates="promoter")


class Share(db.Model):
    """One link: a campaign, a channel and (except some leaflet batches) a promoter."""

    __tablename__ = "shares"
    __table_args__ = (
        sa.CheckConstraint(in_("channel", CHANNELS), name="channel_known"),
        # One link per promoter and channel; leaflet batches may repeat (one share per batch).
        sa.Index(
            "uq_shares_campaign_promoter_channel",
            "campaign_id",
            "promoter_id",
            "channel",
            unique=True,
            sqlite_where=sa.text("channel != 'leaflet'"),
            postgresql_where=sa.text("channel != 'leaflet'"),
        ),
        # A share imported again (flask import --force, overlapping files) is the same share.
        sa.Index("uq_shares_campaign_id_import_key", "campaign_id", "import_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    promoter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("promoters.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    # The share through which this share's promoter arrived: the edge of a cascade.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shares.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The key the share had in the import file it came from (None: made here).
    import_key: Mapped[str | None] = mapped_column(sa.String(200))
    # The experiment variant of the page view the share was made from (None: no experiment).
    variant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("experiment_variants.id"), index=True
    )

    campaign: Mapped[Campaign] = relationship(back_populates="shares")
    promoter: Mapped[Promoter | None] = relationship(back_populates="shares")
    parent: Mapped[Share | None] = relationship(remote_side=[id])


class LeafletBatch(db.Model):
    """A run of printed leaflets carrying one code: its own share on the leaflet channel."""

    __tablename__ = "leaflet_batches"
    __table_args__ = (
        sa.CheckConstraint("printed > 0", name="printed_positive"),
        sa.CheckConstraint("length(label) > 0", name="label_not_empty"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # One batch per share; the share carries the campaign and the optional promoter.
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("shares.id"), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    place: Mapped[str | None] = mapped_column(sa.String(200))
    printed: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    share: Mapped[Share] = relationship()
