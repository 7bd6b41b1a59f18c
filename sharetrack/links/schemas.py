"""The body that asks for a share link."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..campaigns.schemas import CampaignRef, PromoterCode
from ..channels import CHANNELS, PUBLIC_CHANNELS
from ..validation import Strict
from .tokens import MAX_TYPED_TOKEN_LENGTH

Channel = Literal[CHANNELS]  # type: ignore[valid-type]


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
    promoter: PromoterCode | None = None
    parent: Annotated[str, Field(min_length=1, max_length=MAX_TYPED_TOKEN_LENGTH)] | None = None
