"""Request bodies. Their JSON Schemas are also the API contract's."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Annotated, Literal
from urllib.parse import urlsplit

from babel.numbers import list_currencies
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
)

from ..attribution.rules import MODELS
from ..campaigns import service as campaign_service
from ..models import CAMPAIGN_STATUSES, CHANNELS, MAX_AMOUNT_MINOR, PLEDGE_STATUSES

SLUG_RE = campaign_service.SLUG_RE.pattern
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CURRENCIES = frozenset(list_currencies())


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str) -> str:
    """Multi-line text: tabs and line breaks, but no other control characters (nor NUL)."""
    if _CONTROL_IN_TEXT.search(value):
        raise ValueError("must not contain control characters")
    return value


def _http_url(value: str) -> str:
    if _CONTROL.search(value) or " " in value:
        raise ValueError("must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError("is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("must be an http or https URL")
    if not parts.hostname:
        raise ValueError("must have a host")
    return value


def _currency(value: str) -> str:
    if value not in CURRENCIES:
        raise ValueError("is not an ISO 4217 currency code")
    return value


EARLIEST = dt.datetime(2000, 1, 1)
# The last day a query may name: later dates mean nothing here, and 9999-12-31 overflows.
LATEST_DAY = dt.date(2099, 12, 31)
# Clocks disagree a little; anything later than this is a mistake, not skew.
FUTURE_SLACK = dt.timedelta(days=1)
_EARLIEST_SECONDS = EARLIEST.replace(tzinfo=dt.UTC).timestamp()
_SLACK_SECONDS = FUTURE_SLACK.total_seconds()
_ISO_HINT = "must be an ISO 8601 time with an offset, like 2026-03-01T12:00:00Z"


def _instant(value: object) -> dt.datetime:
    """ISO 8601 text with an offset, as the naive UTC the columns hold, within a sane range.

    One plain function (the standard library's parser) rather than pydantic's datetime and
    two validators: an import checks a million of these.
    """
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError(_ISO_HINT)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_ISO_HINT) from None
    if parsed.tzinfo is None:
        raise ValueError("must have an offset, like Z or +01:00")
    seconds = parsed.timestamp()  # compared as numbers: cheap, and never overflows
    if seconds < _EARLIEST_SECONDS:
        raise ValueError("must not be before 2000")
    if seconds > time.time() + _SLACK_SECONDS:
        raise ValueError("must not be in the future")
    return parsed.astimezone(dt.UTC).replace(tzinfo=None)


Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=64)]
# ISO 8601 with an offset, stored as naive UTC.
Instant = Annotated[
    dt.datetime,
    PlainValidator(_instant, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
AmountMinor = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_MINOR)]
Model = Literal[MODELS]  # type: ignore[valid-type]
PledgeStatus = Literal[PLEDGE_STATUSES]  # type: ignore[valid-type]
ExternalId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_printable)]
Summary = Annotated[str, Field(max_length=5000), AfterValidator(str.strip), AfterValidator(_text)]
# Stripped before the length check, so a title of spaces is refused rather than stored empty.
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_printable),
]
LandingUrl = Annotated[
    str,
    # The pattern is documented, not enforced: _http_url's messages say more than a pattern's.
    Field(max_length=2000, json_schema_extra={"pattern": "^https?://[a-z0-9.-]+/"}),
    AfterValidator(_http_url),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_currency)]
TargetMinor = Annotated[StrictInt, Field(ge=0, le=10**12)]
WindowDays = Annotated[StrictInt, Field(ge=1, le=365)]
Status = Literal[CAMPAIGN_STATUSES]  # type: ignore[valid-type]
Channel = Literal[CHANNELS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class CampaignCreate(Strict):
    slug: Slug
    title: Title
    landing_url: LandingUrl
    currency: Currency = "GBP"
    target_minor: TargetMinor = 0
    window_days: WindowDays = 30
    status: Status = "active"
    attribution_model: Model = "last_click"
    pledge_page: StrictBool = False
    summary: Summary | None = None


class CampaignUpdate(Strict):
    title: Title | None = None
    landing_url: LandingUrl | None = None
    currency: Currency | None = None
    target_minor: TargetMinor | None = None
    window_days: WindowDays | None = None
    status: Status | None = None
    attribution_model: Model | None = None
    pledge_page: StrictBool | None = None
    summary: Summary | None = None


class ShareCreate(Strict):
    # Examples document the API and let the contract fuzzer reach a real campaign ('demo').
    campaign: Annotated[str, Field(min_length=1, max_length=64, examples=["demo"])]
    channel: Annotated[
        str,
        # Documented as the channels a promoter may pick; checked in the view, which explains.
        Field(
            min_length=1,
            max_length=32,
            json_schema_extra={"enum": [c for c in CHANNELS if c != "leaflet"]},
        ),
    ]
    promoter: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    parent: Annotated[str, Field(min_length=1, max_length=64)] | None = None


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


class LeafletCreate(Strict):
    label: Annotated[
        str,
        Field(min_length=1, max_length=120),
        AfterValidator(str.strip),
        AfterValidator(_not_blank),
        AfterValidator(_printable),
    ]
    place: (
        Annotated[str, Field(max_length=200), AfterValidator(str.strip), AfterValidator(_printable)]
        | None
    ) = None
    printed: Annotated[StrictInt, Field(ge=1, le=10_000_000)]
    promoter: Annotated[str, Field(min_length=1, max_length=32)] | None = None


ShareToken = Annotated[str, Field(min_length=1, max_length=64)]


class RefTouch(Strict):
    token: ShareToken
    at: Instant


class PledgeIn(Strict):
    """A webhook delivery: one pledge as the platform that takes the money sees it now."""

    external_id: ExternalId
    campaign: Annotated[str, Field(min_length=1, max_length=64)]
    amount_minor: AmountMinor
    currency: Currency
    status: PledgeStatus
    occurred_at: Instant
    ref: ShareToken | Annotated[list[RefTouch], Field(max_length=50)] | None = None

    def refs(self) -> list[tuple[str, dt.datetime | None]]:
        """(token, arrival) pairs; a bare token's arrival is the pledge's own time (None)."""
        if self.ref is None:
            return []
        if isinstance(self.ref, str):
            return [(self.ref, None)]
        return [(touch.token, touch.at) for touch in self.ref]


class ReportQuery(BaseModel):
    """The report's query string: unknown parameters (cache busters) are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: Model | None = None
    since: dt.date | None = Field(default=None, alias="from", ge=EARLIEST.date(), le=LATEST_DAY)
    until: dt.date | None = Field(default=None, alias="to", ge=EARLIEST.date(), le=LATEST_DAY)
    format: Literal["json", "csv"] = "json"
    table: Literal["channels", "promoters", "daily"] | None = None
