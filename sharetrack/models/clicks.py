"""Visits to links: raw clicks, their daily folds, and the salts of the visitor hashes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import BigId, utcnow


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
