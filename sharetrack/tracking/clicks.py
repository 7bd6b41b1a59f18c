"""What the redirect knows about a click (its writing is links/hotpath.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Visit:
    """What the redirect knows about a request; none of it is stored as given."""

    share_id: int
    ip: str
    user_agent: str
    referrer: str | None
    machine: bool
    opted_out: bool
    scan: bool
    at: dt.datetime


def referrer_host(referrer: str | None) -> str | None:
    """Only the host of the referring page, never its path or query."""
    if not referrer:
        return None
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    return host[:255] if host else None
