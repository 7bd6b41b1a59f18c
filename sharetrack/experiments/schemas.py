"""An experiment as staff send it (API and import): 2–4 variants of the ask, each key once."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictInt, field_validator

from ..models.experiments import (
    MAX_ASK_TEXT,
    MAX_CARD_HEADLINE,
    MAX_EXPERIMENT_NAME,
    MAX_HEADING,
    MAX_SHARE_TEXT,
    MAX_VARIANT_KEY,
    MAX_VARIANTS,
    MIN_VARIANTS,
)
from ..validation import Strict, not_blank, plain_text, printable


def _line(limit: int):
    return Annotated[
        str,
        Field(min_length=1, max_length=limit),
        AfterValidator(printable),
        AfterValidator(str.strip),
        AfterValidator(not_blank),
    ]


VariantKey = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=MAX_VARIANT_KEY)
]
Heading = _line(MAX_HEADING)
AskText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_ASK_TEXT),
    AfterValidator(plain_text),
    AfterValidator(str.strip),
    AfterValidator(not_blank),
]
ShareText = _line(MAX_SHARE_TEXT)
CardHeadline = _line(MAX_CARD_HEADLINE)
Allocation = Literal["equal", "adaptive"]
# The pre-registered pledge cap: at least £1 (100 minor units), at most £1,000,000.
CAP_MIN_MINOR, CAP_MAX_MINOR = 100, 10**8
CapMinor = Annotated[StrictInt, Field(ge=CAP_MIN_MINOR, le=CAP_MAX_MINOR)]


class VariantIn(Strict):
    key: VariantKey
    heading: Heading
    text: AskText
    share_text: ShareText | None = None
    card_headline: CardHeadline | None = None


class ExperimentCreate(Strict):
    name: _line(MAX_EXPERIMENT_NAME)  # type: ignore[valid-type]
    allocation: Allocation = "equal"
    variants: Annotated[list[VariantIn], Field(min_length=MIN_VARIANTS, max_length=MAX_VARIANTS)]
    cap_minor: CapMinor | None = Field(
        None, description="Pledges count up to this for the verdict (default £100), fixed now"
    )

    @field_validator("variants")
    @classmethod
    def _keys_once(cls, variants: list[VariantIn]) -> list[VariantIn]:
        keys = [v.key for v in variants]
        if len(set(keys)) != len(keys):
            raise ValueError("each variant needs its own key")
        return variants


class ExperimentEnd(Strict):
    keep: VariantKey | None = None
