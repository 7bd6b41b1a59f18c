"""The fields of a webhook endpoint registered through the API."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..models import MAX_WEBHOOK_URL, WEBHOOK_EVENTS
from ..validation import Strict


class EndpointCreate(Strict):
    # The length is checked by webhooks.addresses (so the message is the same everywhere); this
    # bound only keeps a megabyte-long string out of the parser.
    url: str = Field(
        min_length=1,
        max_length=MAX_WEBHOOK_URL * 2,
        description=f"https (http only in debug), at most {MAX_WEBHOOK_URL} characters, "
        "resolving to public addresses only",
    )
    events: list[Annotated[str, Field(max_length=40)]] = Field(
        min_length=1, max_length=len(WEBHOOK_EVENTS) * 2, description=", ".join(WEBHOOK_EVENTS)
    )
