"""The report's query string."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..campaigns.schemas import Model
from .service import TABLES


class ReportQuery(BaseModel):
    """The report's query string: unknown parameters (cache busters) are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: Model | None = None
    since: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = Field(default=None, alias="to")
    format: Literal["json", "csv"] = "json"
    table: Literal[TABLES] | None = None  # type: ignore[valid-type]
