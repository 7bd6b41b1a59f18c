"""The tables. Money is integer minor units; times are naive UTC."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .channels import CHANNELS
from .extensions import db

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

CAMPAIGN_STATUSES = ("active", "paused", "ended")
# The credit models (attribution/rules.py); every one is stored, reports pick one.
ATTRIBUTION_MODELS = ("last_click", "first_click", "linear", "time_decay", "position_based")
DEFAULT_ATTRIBUTION_MODEL = "last_click"
STAFF_ROLES = ("admin", "viewer")
PLEDGE_STATUSES = ("pledged", "paid", "refunded", "cancelled")
# Only these count toward totals and carry credit; refunded and cancelled pledges lose theirs.
LIVE_STATUSES = ("pledged", "paid")
# Where a pledge came from. All but `form` are vouched for by a signature or by staff; a form
# pledge (the hosted page, no payment yet) counts only once staff confirm it.
PLEDGE_SOURCES = ("webhook", "stripe", "import", "staff", "form")
UNVERIFIED_SOURCES = ("form",)
MAX_AMOUNT_MINOR = 10**10
# Field limits: the columns, the input schemas and the forms all read these.
MAX_SLUG_LENGTH = 64
MAX_TITLE_LENGTH = 200
MAX_WINDOW_DAYS = 365
MAX_PROMOTER_CODE_LENGTH = 32
# Touches one pledge may name (webhook refs, import lines).
MAX_PLEDGE_REFS = 50
# The largest single pledge a new campaign takes; each campaign can set its own.
DEFAULT_MAX_PLEDGE_MINOR = 1_000_000


def utcnow() -> dt.datetime:
    """The current time as naive UTC, the form every timestamp column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_key_secret() -> str:
    """A promoter's random secret: 128 bits, never shown to anyone."""
    return secrets.token_urlsafe(16)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("target_minor >= 0", name="target_not_negative"),
        sa.CheckConstraint(f"window_days BETWEEN 1 AND {MAX_WINDOW_DAYS}", name="window_range"),
        sa.CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="status_known"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.CheckConstraint(
            _in("attribution_model", ATTRIBUTION_MODELS), name="attribution_model_known"
        ),
        sa.CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="ends_after_start"
        ),
        sa.CheckConstraint(
            f"max_pledge_minor > 0 AND max_pledge_minor <= {MAX_AMOUNT_MINOR}",
            name="max_pledge_range",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(MAX_SLUG_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE_LENGTH))
    landing_url: Mapped[str] = mapped_column(sa.String(2000))
    currency: Mapped[str] = mapped_column(sa.String(3), default="GBP")
    target_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    window_days: Mapped[int] = mapped_column(sa.Integer, default=30)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The credit model reports use unless a request names another; every model is kept.
    attribution_model: Mapped[str] = mapped_column(
        sa.String(16), default=DEFAULT_ATTRIBUTION_MODEL, server_default=DEFAULT_ATTRIBUTION_MODEL
    )
    # Takes pledges on its own hosted page, /c/<slug>.
    pledge_page: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The case, in plain text, shown on the hosted page.
    summary: Mapped[str | None] = mapped_column(sa.Text)
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

    shares: Mapped[list[Share]] = relationship(back_populates="campaign")


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


def _day_of_click(context) -> dt.date:
    """`day` for inserts that give only `at` (the redirect gives both)."""
    at = context.get_current_parameters().get("at")
    return (at or utcnow()).date()


class Click(db.Model):
    """One visit to a link. Never the IP, never the user agent; the visitor hash for 48 hours.

    A click is stored by one INSERT (links/redirect_sql.py). Whether it was a visitor's first of
    the day is not stored: it is derived as COUNT(DISTINCT visitor_hash) per share and day,
    when the day is folded (tracking/rollup.py) and when a report reads the open days raw.
    """

    __tablename__ = "clicks"
    __table_args__ = (
        sa.Index("ix_clicks_share_id_at", "share_id", "at"),
        # Folding closed days (tracking/rollup.py) and the raw tail of reports read by time.
        sa.Index("ix_clicks_at", "at"),
        # The few rows still holding a hash, found by day when hashes expire (retention.py).
        sa.Index(
            "ix_clicks_hashed_day",
            "day",
            sqlite_where=sa.text("visitor_hash IS NOT NULL"),
            postgresql_where=sa.text("visitor_hash IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    share_id: Mapped[int] = mapped_column(sa.ForeignKey("shares.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    day: Mapped[dt.date] = mapped_column(default=_day_of_click)  # the UTC day of `at`
    is_bot: Mapped[bool] = mapped_column(default=False)
    is_scan: Mapped[bool] = mapped_column(default=False)
    referrer_host: Mapped[str | None] = mapped_column(sa.String(255))
    # HMAC of the visitor under the day's salt (tracking/visitors.py), a random value of its
    # own for a visitor with GPC/DNT, NULL for machines; set to NULL once the day is folded and
    # its salt is gone (48 hours).
    visitor_hash: Mapped[bytes | None] = mapped_column(sa.LargeBinary(16))


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

    # Raised by every sign-out: a session made under an older generation no longer loads.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """The id kept in the session; it changes with the password and at every sign-out."""
        digest = hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{self.session_generation}:{digest}"


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
        sa.CheckConstraint(_in("source", PLEDGE_SOURCES), name="source_known"),
        # Only the hosted form makes pledges nobody vouched for.
        sa.CheckConstraint(
            f"verified OR {_in('source', UNVERIFIED_SOURCES)}", name="verified_unless_form"
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
    source: Mapped[str] = mapped_column(sa.String(16), default="webhook", server_default="webhook")
    # Vouched for by a signature or by staff; false only for form pledges nobody confirmed yet.
    verified: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
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
        sa.CheckConstraint(_in("from_status", PLEDGE_STATUSES), name="from_status_known"),
        sa.CheckConstraint(_in("to_status", PLEDGE_STATUSES), name="to_status_known"),
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
        sa.CheckConstraint(_in("model", ATTRIBUTION_MODELS), name="model_known"),
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


class ShareValueFigures(db.Model):
    """A campaign's last computed share-value figures, read by every worker (estimates/figures).

    One row per campaign: the hour they are as of, a fingerprint of the data they came from, and
    the figures as JSON. Workers answer from this row, so they all give the same figures.
    """

    __tablename__ = "share_value_figures"

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    as_of: Mapped[dt.datetime] = mapped_column()
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    computed_at: Mapped[dt.datetime] = mapped_column()
    body: Mapped[str] = mapped_column(sa.Text)
