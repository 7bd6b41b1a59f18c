"""Request bodies. Their JSON Schemas are also the API contract's."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from babel.numbers import list_currencies
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from ..campaigns import service as campaign_service
from ..models import CAMPAIGN_STATUSES, CHANNELS

SLUG_RE = campaign_service.SLUG_RE.pattern
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CURRENCIES = frozenset(list_currencies())


def _printable(value: str) -> str:
    if _CONTROL.search(value):
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


Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=64)]
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


class CampaignUpdate(Strict):
    title: Title | None = None
    landing_url: LandingUrl | None = None
    currency: Currency | None = None
    target_minor: TargetMinor | None = None
    window_days: WindowDays | None = None
    status: Status | None = None


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
