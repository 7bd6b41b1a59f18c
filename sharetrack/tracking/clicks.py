"""A click: what the redirect knows about it, and the row stored from that (written by
links/redirect_sql.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import visitors


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


@dataclass(frozen=True)
class ClickRow:
    """One click as stored: nothing about the visitor but the hash of the day (or none)."""

    share_id: int
    at: dt.datetime
    is_bot: bool
    is_scan: bool
    referrer_host: str | None
    visitor_hash: bytes | None


def row(visit: Visit, salt: bytes | None) -> ClickRow:
    """The stored click: a machine gets no hash, a visitor with GPC/DNT a one-off value, anyone
    else the keyed hash under the day's `salt`."""
    if visit.machine:
        digest = None
    elif visit.opted_out:
        digest = visitors.one_off()
    elif salt is None:
        raise ValueError("a human visit needs the day's salt")
    else:
        digest = visitors.visitor_hash(
            salt, visitors.browser(visit.ip, visit.user_agent), visit.share_id
        )
    return ClickRow(
        visit.share_id, visit.at, visit.machine, visit.scan, referrer_host(visit.referrer), digest
    )
