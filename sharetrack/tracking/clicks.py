"""Recording a click: the one write on the redirect's hot path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..models import Click
from . import visitors

# A Core insert on the table, built once: the ORM's bulk path costs more than the write itself.
_INSERT_CLICK = sa.insert(Click.__table__)


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


def record(conn: Connection, visit: Visit, salt_cache: dict | None = None) -> bool:
    """Store one click and return whether it was a unique human visit today. Caller commits."""
    if visit.machine:
        unique = False
    elif visit.opted_out:
        # GPC/DNT: no hash is made, so the visit cannot be deduplicated; it counts as unique.
        unique = True
    else:
        unique = visitors.first_visit_today(
            conn,
            share_id=visit.share_id,
            ip=visit.ip,
            user_agent=visit.user_agent,
            now=visit.at,
            cache=salt_cache,
        )
    conn.execute(
        _INSERT_CLICK,
        {
            "share_id": visit.share_id,
            "at": visit.at,
            "is_unique": unique,
            "is_bot": visit.machine,
            "is_scan": visit.scan,
            "referrer_host": referrer_host(visit.referrer),
        },
    )
    return unique
