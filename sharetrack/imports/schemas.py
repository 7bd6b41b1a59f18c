"""The lines of an import file: one strict shape per type of line (JSON Lines)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, TypeAdapter, model_validator

from ..campaigns.schemas import (
    CampaignDate,
    Currency,
    LandingUrl,
    Slug,
    TargetMinor,
    Title,
    WindowDays,
)
from ..campaigns.service import EndsBeforeStart, check_dates
from ..links.schemas import Channel
from ..models import MAX_PLEDGE_REFS, MAX_SLUG_LENGTH
from ..pledges.schemas import AmountMinor, ExternalId, Instant, PledgeStatus
from ..validation import Strict, printable

MAX_LINE_BYTES = 64 * 1024
Key = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(printable)]
CampaignRef = Annotated[
    str, Field(min_length=1, max_length=MAX_SLUG_LENGTH), AfterValidator(printable)
]


class CampaignLine(Strict):
    type: Literal["campaign"]
    slug: Slug
    title: Title
    landing_url: LandingUrl
    currency: Currency
    target_minor: TargetMinor
    window_days: WindowDays = 30
    starts_at: CampaignDate | None = None
    ends_at: CampaignDate | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> CampaignLine:
        try:
            check_dates(self.starts_at, self.ends_at)
        except EndsBeforeStart:
            raise ValueError("ends_at must be after the campaign starts") from None
        return self


class ShareLine(Strict):
    type: Literal["share"]
    key: Key
    campaign: CampaignRef
    channel: Channel
    promoter: Key | None = None
    parent: Key | None = None
    created_at: Instant


class ClickLine(Strict):
    type: Literal["click"]
    share: Key
    at: Instant
    visitor: Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(printable)]
    bot: StrictBool = False


class RefLine(Strict):
    share: Key
    at: Instant


class PledgeLine(Strict):
    type: Literal["pledge"]
    external_id: ExternalId
    campaign: CampaignRef
    amount_minor: AmountMinor
    currency: Currency
    status: PledgeStatus
    at: Instant
    share: Key | None = None
    refs: Annotated[list[RefLine], Field(max_length=MAX_PLEDGE_REFS)] | None = None


LINE = TypeAdapter(
    Annotated[CampaignLine | ShareLine | ClickLine | PledgeLine, Field(discriminator="type")]
)
