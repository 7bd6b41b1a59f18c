"""What every answer shares: the time writer, the base model, problem details."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from ...periods import iso_utc

# Every time in an answer: naive UTC written as ISO 8601 with a Z, by the one writer.
UtcTime = Annotated[
    dt.datetime,
    PlainSerializer(iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Documented(BaseModel):
    """A response body: exactly its fields, each one required (None is said, not left out)."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Documented):
    field: str = Field(description="The field, named as in the JSON body ('body' for all of it)")
    message: str


class ProblemDetails(Documented):
    """RFC 9457 problem details: every API error."""

    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldError] = Field(description="Per-field errors (422), else empty")
