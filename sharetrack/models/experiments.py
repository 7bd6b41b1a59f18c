"""Experiments on the ask: variants of the invitation to share, and their daily view counts.

Nothing here is about a visitor: a view is one added to a day's count (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .common import BigId, in_, utcnow

RUNNING = "running"
EXPERIMENT_STATUSES = (RUNNING, "ended")
ALLOCATIONS = ("equal", "adaptive")
# Text limits: the API's schemas, the import and the columns read these.
MAX_EXPERIMENT_NAME = 120
MAX_VARIANT_KEY = 40
MAX_HEADING = 120
MAX_ASK_TEXT = 1000
MAX_SHARE_TEXT = 280
MAX_CARD_HEADLINE = 120
MIN_VARIANTS, MAX_VARIANTS = 2, 4
# Pledges are capped at this for the verdict unless the experiment says otherwise (£100).
DEFAULT_CAP_MINOR = 10_000


class Experiment(db.Model):
    __tablename__ = "experiments"
    __table_args__ = (
        sa.CheckConstraint(in_("status", EXPERIMENT_STATUSES), name="status_known"),
        sa.CheckConstraint(in_("allocation", ALLOCATIONS), name="allocation_known"),
        sa.CheckConstraint("cap_minor > 0", name="cap_positive"),
        # One running experiment per campaign, held by the database.
        sa.Index(
            "uq_experiments_running_campaign",
            "campaign_id",
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_EXPERIMENT_NAME))
    allocation: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), default=RUNNING)
    # Pre-registered: the largest pledge the verdict counts in full (docs/experiments.md).
    cap_minor: Mapped[int] = mapped_column(sa.BigInteger, default=DEFAULT_CAP_MINOR)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    kept_key: Mapped[str | None] = mapped_column(sa.String(MAX_VARIANT_KEY))
    # Adaptive allocation: the shares of views worked out once a day ("0.1,0.9"), and its day.
    weights: Mapped[str | None] = mapped_column(sa.String(200))
    weights_day: Mapped[dt.date | None] = mapped_column(sa.Date)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="experiment", order_by="Variant.position"
    )


class Variant(db.Model):
    __tablename__ = "experiment_variants"
    __table_args__ = (
        sa.UniqueConstraint("experiment_id", "key"),
        sa.UniqueConstraint("experiment_id", "position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"))
    position: Mapped[int] = mapped_column(sa.Integer)  # 0 is the control
    key: Mapped[str] = mapped_column(sa.String(MAX_VARIANT_KEY))
    heading: Mapped[str] = mapped_column(sa.String(MAX_HEADING))
    text: Mapped[str] = mapped_column(sa.Text)
    share_text: Mapped[str | None] = mapped_column(sa.String(MAX_SHARE_TEXT))
    card_headline: Mapped[str | None] = mapped_column(sa.String(MAX_CARD_HEADLINE))

    experiment: Mapped[Experiment] = relationship(back_populates="variants")


class VariantDay(db.Model):
    """The page views a variant got on one day: a count, added to once per view."""

    __tablename__ = "experiment_variant_days"
    __table_args__ = (sa.CheckConstraint("views >= 0", name="views_not_negative"),)

    variant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("experiment_variants.id"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    views: Mapped[int] = mapped_column(sa.BigInteger, default=0)
