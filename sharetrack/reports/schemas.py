"""The report's query string."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..campaigns.schemas import Model
from .service import TABLES

EARLIEST_DAY = dt.date(2000, 1, 1)
# The last day a query may name: later dates mean nothing here, and 9999-12-31 overflows.
LATEST_DAY = dt.date(2099, 12, 31)


class ReportQuery(BaseModel):
    """The report's query string: unknown parameters (cache busters) are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: Model | None = None
    since: dt.date | None = Field(default=None, alias="from", ge=EARLIEST_DAY, le=LATEST_DAY)
    until: dt.date | None = Field(default=None, alias="to", ge=EARLIEST_DAY, le=LATEST_DAY)
    format: Literal["json", "csv"] = "json"
    table: Literal[TABLES] | None = None  # type: ignore[valid-type]
