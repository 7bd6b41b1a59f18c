"""The tables. Money is integer minor units; times are naive UTC."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .attribution.rules import DEFAULT_MODEL, MODELS
from .extensions import db

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

CHANNELS = (
    "facebook",
    "x",
    "whatsapp",
    "linkedin",
    "bluesky",
    "telegram",
    "reddit",
    "email",
    "link",
    "leaflet",
)
CAMPAIGN_STATUSES = ("active", "paused", "ended")
STAFF_ROLES = ("admin", "viewer")
PLEDGE_STATUSES = ("pledged", "paid", "refunded", "cancelled")
# Only these count toward totals and carry credit; refunded and cancelled pledges lose theirs.
LIVE_STATUSES = ("pledged", "paid")
MAX_AMOUNT_MINOR = 10**10


def utcnow() -> dt.datetime:
    """The current time as naive UTC, the form every timestamp column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("target_minor >= 0", name="target_not_negative"),
        sa.CheckConstraint("window_days BETWEEN 1 AND 365", name="window_range"),
        sa.CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="status_known"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.CheckConstraint(_in("attribution_model", MODELS), name="attribution_model_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    landing_url: Mapped[str] = mapped_column(sa.String(2000))
    currency: Mapped[str] = mapped_column(sa.String(3), default="GBP")
    target_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    window_days: Mapped[int] = mapped_column(sa.Integer, default=30)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The credit model reports use unless a request names another; every model is kept.
    attribution_model: Mapped[str] = mapped_column(
        sa.String(16), default=DEFAULT_MODEL, server_default=DEFAULT_MODEL
    )
    # Takes pledges on its own hosted page, /c/<slug>.
    pledge_page: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The case, in plain text, shown on the hosted page.
    summary: Mapped[str | None] = mapped_column(sa.Text)

    shares: Mapped[list[Share]] = relationship(back_populates="campaign")


class Promoter(db.Model):
    __tablename__ = "promoters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Unguessable public code (80 random bits); the promoter's only identity.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(80))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    shares: Mapped[list[Share]] = relationship(back_populates="promoter")


class Share(db.Model):
    """One link: a campaign, a channel and (except some leaflet batches) a promoter."""

    __tablename__ = "shares"
    __table_args__ = (
        sa.CheckConstraint(_in("channel", CHANNELS), name="channel_known"),
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

    campaign: Mapped[Campaign] = relationship(back_populates="shares")
    promoter: Mapped[Promoter | None] = relationship(back_populates="shares")
    parent: Mapped[Share | None] = relationship(remote_side=[id])


class Click(db.Model):
    """One visit to a link. Never the IP, never the user agent."""

    __tablename__ = "clicks"
    __table_args__ = (
        sa.Index("ix_clicks_share_id_at", "share_id", "at"),
        # Covers the staff and promoter counts (clicks, unique clicks per share) so they read
        # the index alone: 10x faster on SQLite at a million clicks (benchmarks/staff_pages.py).
        sa.Index("ix_clicks_share_id_is_bot_is_unique", "share_id", "is_bot", "is_unique"),
        # Folding closed days (tracking/rollup.py) and the raw tail of reports read by time.
        sa.Index("ix_clicks_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("shares.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    is_unique: Mapped[bool] = mapped_column(default=False)
    is_bot: Mapped[bool] = mapped_column(default=False)
    is_scan: Mapped[bool] = mapped_column(default=False)
    referrer_host: Mapped[str | None] = mapped_column(sa.String(255))


class ClickDay(db.Model):
    """One share's clicks on one closed UTC day, folded from raw clicks (tracking/rollup.py)."""

    __tablename__ = "click_days"
    __table_args__ = (
        sa.CheckConstraint(
            "clicks >= 0 AND unique_clicks >= 0 AND bot_clicks >= 0", name="counts_not_negative"
        ),
        # Covering: per-share figures of a campaign (a channel's, or all) read the index alone.
        sa.Index(
            "ix_click_days_campaign_id_channel",
            "campaign_id",
            "channel",
            "share_id",
            "day",
            "clicks",
            "unique_clicks",
            "bot_clicks",
        ),
    )

    share_id: Mapped[int] = mapped_column(sa.ForeignKey("shares.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    # Copies of the share's campaign and channel, so reports need no join.
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    channel: Mapped[str] = mapped_column(sa.String(16))
    clicks: Mapped[int] = mapped_column()  # people, as in reports
    unique_clicks: Mapped[int] = mapped_column()
    bot_clicks: Mapped[int] = mapped_column()
    # Human visits through a printed code (leaflet batches), and the unique ones among them.
    scans: Mapped[int] = mapped_column(default=0, server_default="0")
    unique_scans: Mapped[int] = mapped_column(default=0, server_default="0")


class ClickChannelDay(db.Model):
    """A campaign's clicks per channel on one closed UTC day: click_days added up per channel.

    Reports by channel, by day and in total read these few rows instead of one per share.
    """

    __tablename__ = "click_channel_days"
    __table_args__ = (
        sa.CheckConstraint(
            "clicks >= 0 AND unique_clicks >= 0 AND bot_clicks >= 0", name="counts_not_negative"
        ),
    )

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    clicks: Mapped[int] = mapped_column()
    unique_clicks: Mapped[int] = mapped_column()
    bot_clicks: Mapped[int] = mapped_column()
    scans: Mapped[int] = mapped_column(default=0, server_default="0")
    unique_scans: Mapped[int] = mapped_column(default=0, server_default="0")


class ClickRollup(db.Model):
    """The one row saying up to which day raw clicks are folded into click_days."""

    __tablename__ = "click_rollups"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Days before this one are in click_days; this day and later are read from raw clicks.
    folded_before: Mapped[dt.date | None] = mapped_column()


class DailySalt(db.Model):
    """The random key of one UTC day's visitor hashes; deleted after 48 hours."""

    __tablename__ = "daily_salts"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    salt: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class VisitorDay(db.Model):
    """A visitor hash seen on a share on a day: what makes the second visit not unique."""

    __tablename__ = "visitor_days"

    share_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(primary_key=True, index=True)
    visitor_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(16), primary_key=True)


class ImportFile(db.Model):
    """A file `flask import` stored, by its SHA-256: the same file is not imported twice."""

    __tablename__ = "import_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    lines: Mapped[int] = mapped_column()
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiKey(db.Model):
    """A staff API key, stored as a SHA-256 of a 256-bit random secret."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()


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


class StaffUser(UserMixin, db.Model):
    """A person who signs in to the staff pages: viewers read, admins also change things."""

    __tablename__ = "staff_users"
    __table_args__ = (sa.CheckConstraint(_in("role", STAFF_ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Stored lower-cased (auth.staff.normalise_email), so the unique key is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    # Argon2id in PHC string form, parameters included (auth.passwords).
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default="viewer")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column()

    @property
    def is_admin(self) -> bool:
        """Whether this person may create and change things."""
        return self.role == "admin"

    def get_id(self) -> str:
        """The id kept in the session; it changes with the password, ending older sessions."""
        return f"{self.id}:{hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]}"


class Pledge(db.Model):
    """A pledge as the platform that takes the money last described it."""

    __tablename__ = "pledges"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "external_id"),
        sa.CheckConstraint(
            f"amount_minor > 0 AND amount_minor <= {MAX_AMOUNT_MINOR}", name="amount_range"
        ),
        sa.CheckConstraint(_in("status", PLEDGE_STATUSES), name="status_known"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.Index("ix_pledges_campaign_id_pledged_at", "campaign_id", "pledged_at"),
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
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def live(self) -> bool:
        """Pledged or paid: counts toward totals and carries credit."""
        return self.status in LIVE_STATUSES


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


class PledgeCredit(db.Model):
    """The money one share earned from one live pledge under one model (never zero).

    Written whenever a pledge is recorded or changes, for every model at once, so a report
    is a plain sum and switching the model loses and recomputes nothing.
    """

    __tablename__ = "pledge_credits"
    __table_args__ = (
        sa.CheckConstraint(_in("model", MODELS), name="model_known"),
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
