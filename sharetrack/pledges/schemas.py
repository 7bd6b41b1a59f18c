"""Pledges' input: the webhook's body, and staff moderation's query string and review body."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from ..campaigns.schemas import CampaignRef, Currency
from ..models import MAX_AMOUNT_MINOR, MAX_PLEDGE_REFS, PLEDGE_SOURCES, PLEDGE_STATUSES
from ..signing import MAX_TYPED_TOKEN_LENGTH
from ..validation import MAX_ID, Strict, naive_utc, offset_time, printable
from .review import DECISIONS, MAX_LIMIT

EARLIEST = dt.datetime(2000, 1, 1)
# Clocks disagree a little; anything later than this is a mistake, not skew.
FUTURE_SLACK = dt.timedelta(days=1)
_EARLIEST_SECONDS = EARLIEST.replace(tzinfo=dt.UTC).timestamp()
_SLACK_SECONDS = FUTURE_SLACK.total_seconds()


def _instant(value: object) -> dt.datetime:
    """ISO 8601 text with an offset, as the naive UTC the columns hold, from 2000 to now."""
    parsed = offset_time(value)
    seconds = parsed.timestamp()  # compared as numbers: cheap, and never overflows
    if seconds < _EARLIEST_SECONDS:
        raise ValueError("must not be before 2000")
    if seconds > time.time() + _SLACK_SECONDS:
        raise ValueError("must not be in the future")
    return naive_utc(parsed)


# ISO 8601 with an offset, stored as naive UTC.
Instant = Annotated[
    dt.datetime,
    PlainValidator(_instant, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
AmountMinor = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_MINOR)]
PledgeStatus = Literal[PLEDGE_STATUSES]  # type: ignore[valid-type]
ExternalId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(printable)]

ShareToken = Annotated[str, Field(min_length=1, max_length=MAX_TYPED_TOKEN_LENGTH)]


class RefTouch(Strict):
    token: ShareToken
    at: Instant


class PledgeIn(Strict):
    """A webhook delivery: one pledge as the platform that takes the money sees it now."""

    external_id: ExternalId
    campaign: CampaignRef
    amount_minor: AmountMinor
    currency: Currency
    status: PledgeStatus
    occurred_at: Instant
    ref: ShareToken | Annotated[list[RefTouch], Field(max_length=MAX_PLEDGE_REFS)] | None = None

    def refs(self) -> list[tuple[str, dt.datetime | None]]:
        """(token, arrival) pairs; a bare token's arrival is the pledge's own time (None)."""
        if self.ref is None:
            return []
        if isinstance(self.ref, str):
            return [(self.ref, None)]
        return [(touch.token, touch.at) for touch in self.ref]


class PledgeListQuery(BaseModel):
    """GET /campaigns/<slug>/pledges: filters and paging; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    status: Literal[PLEDGE_STATUSES] | None = None  # type: ignore[valid-type]
    source: Literal[PLEDGE_SOURCES] | None = None  # type: ignore[valid-type]
    confirmed: bool | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class PledgeReviewIn(BaseModel):
    """PATCH /campaigns/<slug>/pledges/<id>: confirm (paid) or void (cancelled)."""

    model_config = ConfigDict(extra="forbid")

    status: Annotated[StrictStr, Field(json_schema_extra={"enum": list(DECISIONS)})]

    def decision(self) -> str:
        """The status asked for (checked by review.decide, which explains a wrong one)."""
        return self.status
