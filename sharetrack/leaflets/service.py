"""Leaflet batches: creating them and reading their table (scans, and pledge columns)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..links import service as links
from ..models import ENDED, Campaign, LeafletBatch, Share
from ..money import divide_half_up
from ..reports import credits, queries


class UnknownPromoter(ValueError):
    """No promoter has the given code."""


class CampaignEnded(ValueError):
    """The campaign has ended: no new leaflets for it."""


@dataclass(frozen=True)
class PledgeColumns:
    """The money side of a batch, from pledge attribution."""

    pledges: int | None = None
    attributed_minor: int | None = None
    per_100_printed_minor: int | None = None


@dataclass(frozen=True)
class BatchRow:
    """One line of a campaign's leaflet table."""

    id: int
    label: str
    place: str | None
    printed: int
    share_id: int
    visits: int  # human visits to the batch's link, scanned or typed
    scans: int  # human visits through the printed code
    unique_scans: int  # scans by a visitor not seen on this link that day
    money: PledgeColumns


@dataclass(frozen=True)
class PrintSheet:
    """What a batch's print sheet shows."""

    batch_id: int
    share_id: int
    label: str
    place: str | None
    campaign_title: str


def create_batch(
    session: Session,
    *,
    campaign: Campaign,
    label: str,
    printed: int,
    place: str | None = None,
    promoter_code: str | None = None,
) -> LeafletBatch:
    """A new batch and its own leaflet share (promoter optional). Caller commits."""
    if campaign.status == ENDED:
        raise CampaignEnded(campaign.slug)
    promoter = None
    if promoter_code is not None:
        promoter = links.promoter_by_code(session, promoter_code)
        if promoter is None:
            raise UnknownPromoter(promoter_code)
    # The shares table's unique index skips the leaflet channel, so batches may repeat.
    share = Share(
        campaign_id=campaign.id,
        promoter_id=promoter.id if promoter else None,
        channel="leaflet",
    )
    batch = LeafletBatch(share=share, label=label, place=place, printed=printed)
    session.add(batch)
    session.flush()
    return batch


def batch_table(session: Session, campaign_id: int) -> list[BatchRow]:
    """Every batch of a campaign, oldest first, with its visit counts and pledge columns."""
    rows = session.execute(
        sa.select(
            LeafletBatch.id,
            LeafletBatch.label,
            LeafletBatch.place,
            LeafletBatch.printed,
            LeafletBatch.share_id,
        )
        .join(Share, Share.id == LeafletBatch.share_id)
        .where(Share.campaign_id == campaign_id)
        .order_by(LeafletBatch.id)
    ).all()
    # Read as reports read clicks: the same figures before and after retention.
    clicks = queries.clicks_by(session, campaign_id, "share_id", channel="leaflet", scans=True)
    model = session.scalar(sa.select(Campaign.attribution_model).where(Campaign.id == campaign_id))
    money = pledge_columns(
        session, campaign_id, model, [(row.share_id, row.printed) for row in rows]
    )
    out = []
    for row in rows:
        counts = clicks.get(row.share_id, queries.Counts())
        out.append(
            BatchRow(
                *row,
                counts.clicks,
                counts.scans,
                counts.unique_scans,
                money=money[row.share_id],
            )
        )
    return out


def pledge_columns(
    session: Session, campaign_id: int, model: str, batches: Sequence[tuple[int, int]]
) -> dict[int, PledgeColumns]:
    """Pledges, attributed money and money per 100 printed, per (share id, printed) given.

    Direct credit under `model` (the campaign's, in the leaflet list), read from the same
    stored credits as the report, so a batch's money is the report's leaflet row.
    """
    money = credits.credits_by(session, campaign_id, model, "share_id") if batches else {}
    out = {}
    for share_id, printed in batches:
        m = money.get(share_id, credits.Credited())
        out[share_id] = PledgeColumns(
            pledges=m.pledges,
            attributed_minor=m.amount_minor,
            per_100_printed_minor=per_100_printed(m.amount_minor, printed),
        )
    return out


def per_100_printed(attributed_minor: int | None, printed: int) -> int | None:
    """Credited per 100 leaflets printed, in minor units, rounded half up; None stays None."""
    if attributed_minor is None:
        return None
    if printed <= 0:
        raise ValueError("printed must be positive")
    return divide_half_up(100 * attributed_minor, printed)


def print_sheet(session: Session, batch_id: int) -> PrintSheet | None:
    """The print sheet's content for a batch, or None if there is no such batch."""
    row = session.execute(
        sa.select(
            LeafletBatch.id,
            LeafletBatch.share_id,
            LeafletBatch.label,
            LeafletBatch.place,
            Campaign.title,
        )
        .join(Share, Share.id == LeafletBatch.share_id)
        .join(Campaign, Campaign.id == Share.campaign_id)
        .where(LeafletBatch.id == batch_id)
    ).first()
    return PrintSheet(*row) if row else None
