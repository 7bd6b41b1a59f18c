"""A campaign's fields as staff send them, by API or form; the API documents these schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlsplit

from babel.core import get_global
from babel.numbers import get_territory_currencies
from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
)

from ..colors import accent_refusal
from ..models import (
    ACTIVE,
    ATTRIBUTION_MODELS,
    CAMPAIGN_STATUSES,
    DEFAULT_ATTRIBUTION_MODEL,
    DEFAULT_MAX_PLEDGE_MINOR,
    MAX_AMOUNT_MINOR,
    MAX_ORGANISER_LENGTH,
    MAX_PROMOTER_CODE_LENGTH,
    MAX_SLUG_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_WINDOW_DAYS,
)
from ..validation import Strict, has_control, naive_utc, offset_time, plain_text, printable
from . import service as campaign_service

SLUG_RE = campaign_service.SLUG_RE.pattern


def current_currencies(day: dt.date | None = None) -> frozenset[str]:
    """ISO 4217 codes some territory uses as legal tender on `day` (default today), by CLDR:
    no withdrawn currency (the Andorran peseta), no fund or metal code (XAU)."""
    day = day or dt.date.today()
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, day, tender=True)
    )


CURRENCIES = current_currencies()
NOT_A_WEB_ADDRESS = "must be a web address starting with https://"


def _http_url(value: str) -> str:
    """`value` if it is an http(s) address with a host; one message for every way it is not."""
    if has_control(value) or " " in value:
        raise ValueError(NOT_A_WEB_ADDRESS)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError(NOT_A_WEB_ADDRESS) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(NOT_A_WEB_ADDRESS)
    return value


def _optional_url(value: str) -> str:
    """An organiser's address, or "" (no address: an update clears it)."""
    return _http_url(value) if value else value


def _accent(value: str) -> str:
    if value and (why := accent_refusal(value)):
        raise ValueError(why)
    return value


def _currency(value: str) -> str:
    if value not in CURRENCIES:
        raise ValueError("is not a current ISO 4217 currency code")
    return value


EARLIEST_DATE = dt.datetime(2000, 1, 1)
LATEST_DATE = dt.datetime(2100, 1, 1)
_DATE_RANGE = tuple(d.replace(tzinfo=dt.UTC).timestamp() for d in (EARLIEST_DATE, LATEST_DATE))


def _campaign_date(value: object) -> dt.datetime:
    """A campaign's start or end: ISO 8601 with an offset, between 2000 and 2100 (naive UTC)."""
    parsed = offset_time(value)
    if not _DATE_RANGE[0] <= parsed.timestamp() < _DATE_RANGE[1]:
        raise ValueError("must be between 2000 and 2100")
    return naive_utc(parsed)


CampaignDate = Annotated[
    dt.datetime,
    PlainValidator(_campaign_date, json_schema_input_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=MAX_SLUG_LENGTH)]
# A campaign named in a request: looked up, so only its length is checked here.
CampaignRef = Annotated[str, Field(min_length=1, max_length=MAX_SLUG_LENGTH)]
Model = Literal[ATTRIBUTION_MODELS]  # type: ignore[valid-type]
Summary = Annotated[
    str, Field(max_length=5000), AfterValidator(str.strip), AfterValidator(plain_text)
]
# How to pay when the campaign takes no card payments (bank details, a collection tin): plain text.
PaymentInstructions = Annotated[
    str, Field(max_length=2000), AfterValidator(str.strip), AfterValidator(plain_text)
]
# Stripped before the length check, so a title of spaces is refused rather than stored empty.
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_LENGTH),
    AfterValidator(printable),
]
LandingUrl = Annotated[
    str,
    # The pattern is documented, not enforced: _http_url's messages say more than a pattern's.
    Field(max_length=2000, json_schema_extra={"pattern": "^https?://[a-z0-9.-]+/"}),
    AfterValidator(_http_url),
]
OrganiserName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_ORGANISER_LENGTH),
    AfterValidator(printable),
    Field(description='Who runs the campaign, named on its public pages; "" for none'),
]
# "" clears an optional field in an update (None leaves it as it is).
OrganiserUrl = Annotated[
    str,
    Field(max_length=2000, description='The organiser\'s own site; "" for none'),
    AfterValidator(_optional_url),
]
AccentColor = Annotated[
    str,
    Field(
        pattern=r"^(#[0-9a-f]{6})?$",
        description="#rrggbb, lowercase, for links and buttons on public pages; refused below "
        'WCAG AA contrast (4.5:1) with white; "" for the site\'s own',
    ),
    AfterValidator(_accent),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_currency)]
TargetMinor = Annotated[StrictInt, Field(ge=0, le=10**12)]
MaxPledgeMinor = Annotated[StrictInt, Field(ge=1, le=MAX_AMOUNT_MINOR)]
WindowDays = Annotated[StrictInt, Field(ge=1, le=MAX_WINDOW_DAYS)]
PromoterCode = Annotated[str, Field(min_length=1, max_length=MAX_PROMOTER_CODE_LENGTH)]
Status = Literal[CAMPAIGN_STATUSES]  # type: ignore[valid-type]


class CampaignCreate(Strict):
    slug: Slug
    title: Title
    landing_url: LandingUrl
    currency: Currency = "GBP"
    target_minor: TargetMinor = 0
    window_days: WindowDays = 30
    status: Status = ACTIVE
    attribution_model: Model = DEFAULT_ATTRIBUTION_MODEL
    pledge_page: StrictBool = False
    summary: Summary | None = None
    payment_instructions: PaymentInstructions | None = None
    starts_at: CampaignDate | None = None  # default: when it is created
    ends_at: CampaignDate | None = None
    max_pledge_minor: MaxPledgeMinor = DEFAULT_MAX_PLEDGE_MINOR
    organiser_name: OrganiserName | None = None
    organiser_url: OrganiserUrl | None = None
    accent_color: AccentColor | None = None


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
    payment_instructions: PaymentInstructions | None = None
    starts_at: CampaignDate | None = None
    ends_at: CampaignDate | None = None
    max_pledge_minor: MaxPledgeMinor | None = None
    organiser_name: OrganiserName | None = None
    organiser_url: OrganiserUrl | None = None
    accent_color: AccentColor | None = None
