"""The lines of an import file: one strict shape per type of line (JSON Lines)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool, StrictInt, TypeAdapter, model_validator

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
from ..experiments.schemas import ExperimentCreate, VariantKey
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
    # The experiment (by name) and variant (by key) of the page view the share was made from.
    experiment: Key | None = None
    variant: VariantKey | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> ShareLine:
        if (self.experiment is None) != (self.variant is None):
            raise ValueError("give experiment and variant together, or neither")
        return self


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


class ExperimentLine(ExperimentCreate):
    """An experiment on a campaign's ask, started at `started_at` (running until ended)."""

    type: Literal["experiment"]
    campaign: CampaignRef
    started_at: Instant


class ViewsLine(Strict):
    """A variant's page views on one day (the day's whole count: importing it again sets it)."""

    type: Literal["views"]
    campaign: CampaignRef
    experiment: Key
    variant: VariantKey
    day: dt.date
    count: Annotated[StrictInt, Field(ge=0, le=10**9)]


LINE = TypeAdapter(
    Annotated[
        CampaignLine | ShareLine | ClickLine | PledgeLine | ExperimentLine | ViewsLine,
        Field(discriminator="type"),
    ]
)
