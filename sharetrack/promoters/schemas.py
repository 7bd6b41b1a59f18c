"""The promoters' request bodies (their JSON Schemas are also the API contract's)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..auth.staff import MAX_EMAIL


class RecoverRequest(BaseModel):
    """Ask for one's page address again, by the email address given when making a link."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=1, max_length=MAX_EMAIL)]


class NotesRequest(BaseModel):
    """Turn notes of what one's links raise on (an address) or off (null)."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[
        str, Field(min_length=1, max_length=200, description="The promoter's private key")
    ]
    email: Annotated[
        str | None,
        Field(
            max_length=MAX_EMAIL,
            description="Where to send the notes (kept encrypted, for them alone); null stops "
            "them and deletes the address",
        ),
    ]
