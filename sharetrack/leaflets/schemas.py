"""The fields of a new leaflet batch."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt

from ..campaigns.schemas import PromoterCode
from ..validation import Strict, not_blank, printable


class LeafletCreate(Strict):
    label: Annotated[
        str,
        Field(min_length=1, max_length=120),
        AfterValidator(str.strip),
        AfterValidator(not_blank),
        AfterValidator(printable),
    ]
    place: (
        Annotated[str, Field(max_length=200), AfterValidator(str.strip), AfterValidator(printable)]
        | None
    ) = None
    printed: Annotated[StrictInt, Field(ge=1, le=10_000_000)]
    promoter: PromoterCode | None = None
