"""The promoters' request bodies (their JSON Schemas are also the API contract's)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..auth.staff import MAX_EMAIL


class RecoverRequest(BaseModel):
    """Ask for one's page address again, by the email address given when making a link."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=1, max_length=MAX_EMAIL)]
