"""Daily salts and keyed visitor hashes, and the privacy signals that switch them off.

A visitor hash is HMAC(salt of the day, IP + user agent + share), stored on the click. The salt
is random and is deleted after 48 hours (once the day and the next are over), and the hashes of
that day are set to NULL then (tracking/retention.py), so after that nobody, staff included,
can recompute a hash from an IP address and tie a stored row to a person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..dialects import insert_ignore
from ..models import DailySalt, utcnow

HASH_BYTES = 16
_SALT = sa.select(DailySalt.__table__.c.salt).where(
    DailySalt.__table__.c.day == sa.bindparam("day")
)


def opted_out(headers) -> bool:
    """Global Privacy Control or Do Not Track: count the click, keep nothing about the visitor."""
    return headers.get("Sec-GPC", "").strip() == "1" or headers.get("DNT", "").strip() == "1"


def visitor_hash(salt: bytes, visitor: str, share: int | str) -> bytes:
    """The keyed hash that tells a repeat visit to a share apart; meaningless once the salt is
    gone. `visitor` is what tells people apart: IP and user agent, or an import's visitor id."""
    message = f"{visitor}\n{share}".encode("utf-8", "replace")
    return hmac.new(salt, message, hashlib.sha256).digest()[:HASH_BYTES]


def browser(ip: str, user_agent: str) -> str:
    """The visitor of a request, as `visitor_hash` takes it (never stored)."""
    return f"{ip}\n{user_agent}"


def one_off() -> bytes:
    """A value in the hash's place for a visitor with GPC/DNT: random, so no other click
    shares it and the click counts as one visitor, and it says nothing about anybody."""
    return secrets.token_bytes(HASH_BYTES)


def keep_from(today: dt.date) -> dt.date:
    """The first day whose salt and hashes are still kept on `today` (48 hours at most)."""
    return today - dt.timedelta(days=1)


def salt_for(conn: Connection, day: dt.date, cache: dict | None = None) -> bytes:
    """The salt of `day`, made on first use.

    `cache` (one per app) keeps only the current day's salt in the worker's memory. A new day
    also deletes salts past 48 hours; the caller then expires the hashes (retention.py).
    """
    cache = {} if cache is None else cache
    cached = cache.get(day)
    if cached is not None:
        return cached
    salt = conn.scalar(_SALT, {"day": day})
    if salt is None:
        insert_ignore(
            conn,
            DailySalt,
            {"day": day, "salt": secrets.token_bytes(32), "created_at": utcnow()},
        )
        # Another worker may have won the race: read back whichever salt is stored.
        salt = conn.scalar(_SALT, {"day": day})
        purge_salts(conn, today=day)
    cache.clear()
    cache[day] = salt
    return salt


def rotate(conn: Connection, today: dt.date | None = None) -> dt.date:
    """Make sure today's salt exists and expired ones are gone; returns today's date."""
    today = today or utcnow().date()
    salt_for(conn, today)
    purge_salts(conn, today=today)
    return today


def purge_salts(conn: Connection, today: dt.date | None = None) -> int:
    """Delete the salts of days before yesterday; returns how many went."""
    today = today or utcnow().date()
    return conn.execute(sa.delete(DailySalt).where(DailySalt.day < keep_from(today))).rowcount
