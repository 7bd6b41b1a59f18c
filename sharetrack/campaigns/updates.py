"""A campaign's dated updates ("We did it!"): staff post, edit and delete them; the hosted page
shows them newest first."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from pydantic import AfterValidator, StringConstraints
from sqlalchemy.orm import Session

from ..models import MAX_TITLE_LENGTH, MAX_UPDATE_LENGTH, Campaign, CampaignUpdate, utcnow
from ..validation import Strict, plain_text, printable


class UpdateFields(Strict):
    """An update as staff write it: a title and plain text (paragraphs split by blank lines)."""

    title: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_LENGTH),
        AfterValidator(printable),
    ]
    body: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_UPDATE_LENGTH),
        AfterValidator(plain_text),
    ]


def of_campaign(session: Session, campaign: Campaign) -> list[CampaignUpdate]:
    """The campaign's updates, newest first."""
    return list(
        session.scalars(
            sa.select(CampaignUpdate)
            .where(CampaignUpdate.campaign_id == campaign.id)
            .order_by(CampaignUpdate.posted_at.desc(), CampaignUpdate.id.desc())
        )
    )


def one(session: Session, campaign: Campaign, update_id: int) -> CampaignUpdate | None:
    """The campaign's update with this id; None if it has none (another campaign's is none)."""
    return session.scalar(
        sa.select(CampaignUpdate).where(
            CampaignUpdate.id == update_id, CampaignUpdate.campaign_id == campaign.id
        )
    )


def post(session: Session, campaign: Campaign, fields: UpdateFields) -> CampaignUpdate:
    """A new update, dated now."""
    update = CampaignUpdate(campaign_id=campaign.id, title=fields.title, body=fields.body)
    session.add(update)
    session.flush()
    return update


def edit(update: CampaignUpdate, fields: UpdateFields) -> None:
    """New words for an update; it keeps its date and notes when it was edited."""
    update.title, update.body, update.edited_at = fields.title, fields.body, utcnow()


def delete(session: Session, update: CampaignUpdate) -> None:
    """The update is gone from the page and the database."""
    session.delete(update)
