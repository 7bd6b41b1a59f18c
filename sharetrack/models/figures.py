"""Computed figures kept for every worker to read."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


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
