"""Staff API keys: shown once, stored as a SHA-256 hash.

The key is 256 random bits, so a fast hash is enough: there is nothing to brute-force that a
slow password hash would protect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import ApiKey, utcnow

PREFIX = "st_"
MAX_NAME = 80  # characters of a key's name
# last_used_at is written at most this often per key: enough to spot a stale key, and a busy
# client's reads do not each become a write.
USE_RESOLUTION = dt.timedelta(hours=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def create(session: Session, name: str) -> tuple[ApiKey, str]:
    """A new key: (row, the plain key to show once)."""
    prefix = secrets.token_hex(4)
    key = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(name=name, prefix=prefix, key_hash=_hash(key))
    session.add(row)
    session.flush()
    return row, key


def verify(session: Session, key: str) -> ApiKey | None:
    """The live key row matching `key`, or None."""
    if not key.startswith(PREFIX) or len(key) > 128:
        return None
    return session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == _hash(key), ApiKey.revoked_at.is_(None))
    )


def record_use(row: ApiKey, now: dt.datetime | None = None) -> bool:
    """Note that the key was used now; False if it was already noted within USE_RESOLUTION."""
    now = now or utcnow()
    if row.last_used_at is not None and now - row.last_used_at < USE_RESOLUTION:
        return False
    row.last_used_at = now
    return True


def revoke(session: Session, prefix: str) -> bool:
    """Revoke the key with this prefix (as listed, 'st_' optional); False if none is live."""
    prefix = prefix.removeprefix(PREFIX)
    row = session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def all_keys(session: Session) -> list[ApiKey]:
    """Every key, live and revoked, oldest first."""
    return list(session.scalars(sa.select(ApiKey).order_by(ApiKey.id)))
