"""Input schemas of staff moderation: the pledge list's query string and a review's body."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from ..models import PLEDGE_SOURCES, PLEDGE_STATUSES
from .review import DECISIONS, MAX_LIMIT


class PledgeListQuery(BaseModel):
    """GET /campaigns/<slug>/pledges: filters and paging; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    status: Literal[PLEDGE_STATUSES] | None = None  # type: ignore[valid-type]
    source: Literal[PLEDGE_SOURCES] | None = None  # type: ignore[valid-type]
    confirmed: bool | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None


class PledgeReviewIn(BaseModel):
    """PATCH /campaigns/<slug>/pledges/<id>: confirm (paid) or void (cancelled)."""

    model_config = ConfigDict(extra="forbid")

    status: Annotated[StrictStr, Field(json_schema_extra={"enum": list(DECISIONS)})]

    def decision(self) -> str:
        """The status asked for (checked by review.decide, which explains a wrong one)."""
        return self.status
