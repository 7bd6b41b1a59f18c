"""The body that asks for a share link."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema

from ..campaigns.schemas import CampaignRef
from ..channels import CHANNELS, PUBLIC_CHANNELS
from ..signing import MAX_TYPED_TOKEN_LENGTH
from ..validation import Strict

Channel = Literal[CHANNELS]  # type: ignore[valid-type]


def _code_is_no_proof(value: str | None) -> None:
    if value is not None:
        raise ValueError("a promoter's public code proves nothing; send promoter_key instead")


class ShareCreate(Strict):
    # Examples document the API and let the contract fuzzer reach a real campaign ('demo').
    campaign: Annotated[CampaignRef, Field(examples=["demo"])]
    channel: Annotated[
        str,
        # Documented as the channels a promoter may pick; checked in the view, which explains.
        Field(
            min_length=1,
            max_length=32,
            json_schema_extra={"enum": list(PUBLIC_CHANNELS)},
        ),
    ]
    # Documented as null only: any code is refused with a message that says why.
    promoter: Annotated[
        str | None,
        AfterValidator(_code_is_no_proof),
        WithJsonSchema(
            {
                "type": "null",
                "deprecated": True,
                "description": "Refused (422) if given: a promoter's public code proves "
                "nothing; send promoter_key",
            }
        ),
    ] = None
    promoter_key: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None,
        description="The secret in the promoter's page address (/p/<key>): adds a link for "
        "that promoter, who must already share this campaign. Without it the browser's "
        "promoter cookie decides, else a new anonymous promoter is made.",
    )
    parent: Annotated[str, Field(min_length=1, max_length=MAX_TYPED_TOKEN_LENGTH)] | None = None
    email: Annotated[str, Field(min_length=1, max_length=254)] | None = Field(
        None,
        description="Optional: email the page address here. Only a keyed hash of it is kept, "
        "to send the address again (POST /api/v1/promoters/recover). 422 when the service "
        "has no mail server.",
    )
