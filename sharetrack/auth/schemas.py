"""The fields of a new API key asked for through the API."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from ..models.common import MAX_SLUG_LENGTH
from ..validation import Strict, not_blank, printable
from .api_keys import MAX_NAME


class ApiKeyCreate(Strict):
    name: Annotated[
        str,
        Field(min_length=1, max_length=MAX_NAME),
        AfterValidator(str.strip),
        AfterValidator(not_blank),
        AfterValidator(printable),
    ]
    scopes: list[Annotated[str, Field(max_length=32)]] = Field(
        min_length=1,
        max_length=8,
        description="Some of read, write, money, admin; none beyond the asking key's own",
    )
    campaigns: list[Annotated[str, Field(min_length=1, max_length=MAX_SLUG_LENGTH)]] | None = Field(
        default=None,
        max_length=100,
        description="Slugs of the only campaigns the key reaches; null: every campaign "
        "(only a key that reaches every campaign may make one)",
    )
