"""Staff API keys: shown once, stored as a SHA-256 hash.

The key is 256 random bits, so a fast hash is enough: there is nothing to brute-force that a
slow password hash would protect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import API_SCOPES, MAX_SLUG_LENGTH, ApiKey, ApiKeyCampaign, Campaign, utcnow

PREFIX = "st_"
MAX_NAME = 80  # characters of a key's name
# last_used_at is written at most this often per key: enough to spot a stale key, and a busy
# client's reads do not each become a write.
USE_RESOLUTION = dt.timedelta(hours=1)


# What each scope opens (the API's routes each declare one: api/openapi.py `scope=`).
SCOPE_MEANING = {
    "read": "reports, share value, forecast, experiments; campaigns and leaflets read",
    "write": "campaigns and leaflets changed",
    "money": "pledges listed, confirmed or voided; imports",
    "admin": "API keys and webhooks",
}
# The widest key each staff role may make: a viewer reads, an admin may do anything.
ROLE_SCOPES = {"viewer": frozenset({"read"}), "admin": frozenset(API_SCOPES)}


class ScopeError(ValueError):
    """A key cannot be made as asked: `field` names what is wrong, for the answer."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def checked_scopes(scopes: Iterable[str], allowed: frozenset[str]) -> tuple[str, ...]:
    """The scopes in API_SCOPES order; ScopeError for an unknown one (422), none at all (422)
    or one beyond `allowed`, what the maker holds (403)."""
    wanted = set(scopes)
    if unknown := sorted(wanted - set(API_SCOPES)):
        shown = ", ".join(repr(s[:20]) for s in unknown[:5])
        raise ScopeError("scopes", f"unknown scope {shown}; one of {', '.join(API_SCOPES)}")
    if not wanted:
        raise ScopeError("scopes", "name at least one scope")
    if beyond := sorted(wanted - allowed, key=API_SCOPES.index):
        raise ScopeError(
            "scopes",
            f"you cannot give a key the scope {', '.join(beyond)}: it is beyond your own",
            status=403,
        )
    return tuple(s for s in API_SCOPES if s in wanted)


def create(
    session: Session,
    name: str,
    scopes: Iterable[str] = API_SCOPES,
    campaign_ids: Iterable[int] | None = None,
    *,
    allowed: frozenset[str] = frozenset(API_SCOPES),
) -> tuple[ApiKey, str]:
    """A new key: (row, the plain key to show once).

    `scopes` must lie within `allowed` (the maker's own: ROLE_SCOPES, or the scopes of the key
    that asks); `campaign_ids` None reaches every campaign. Raises ScopeError, storing nothing.
    """
    chosen = checked_scopes(scopes, allowed)
    prefix = secrets.token_hex(4)
    key = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=_hash(key),
        scopes=" ".join(chosen),
        campaign_limited=campaign_ids is not None,
    )
    session.add(row)
    session.flush()
    if campaign_ids is not None:
        session.add_all(ApiKeyCampaign(api_key_id=row.id, campaign_id=c) for c in set(campaign_ids))
        session.flush()
    return row, key


def campaign_ids(session: Session, row: ApiKey) -> frozenset[int] | None:
    """The campaigns a key reaches, or None for every one."""
    if not row.campaign_limited:
        return None
    return frozenset(
        session.scalars(
            sa.select(ApiKeyCampaign.campaign_id).where(ApiKeyCampaign.api_key_id == row.id)
        )
    )


def reaches(session: Session, row: ApiKey, slug: str) -> bool:
    """Whether the key may reach the campaign with this slug (an unknown slug: True, so the
    view answers its own 404)."""
    if not row.campaign_limited:
        return True
    if len(slug) > MAX_SLUG_LENGTH or not slug.isprintable():
        return True  # no campaign has it: the view's 404
    found = session.scalar(sa.select(Campaign.id).where(Campaign.slug == slug))
    return found is None or found in (campaign_ids(session, row) or frozenset())


def campaign_slugs(session: Session, row: ApiKey) -> list[str] | None:
    """The slugs of the campaigns a key reaches, or None for every one."""
    ids = campaign_ids(session, row)
    if ids is None:
        return None
    return list(
        session.scalars(
            sa.select(Campaign.slug).where(Campaign.id.in_(ids)).order_by(Campaign.slug)
        )
    )


def campaigns_named(
    session: Session, slugs: Iterable[str], within: frozenset[int] | None
) -> list[int]:
    """The ids of the campaigns with these slugs; ScopeError (422) naming any that does not
    exist or lies outside `within` (the maker's reach; None: every campaign), alike."""
    slugs = list(dict.fromkeys(slugs))
    # A slug no campaign could have (a NUL would upset PostgreSQL) is looked up by nobody.
    askable = [s for s in slugs if len(s) <= MAX_SLUG_LENGTH and s.isprintable()]
    found: dict[str, int] = {
        slug: id_
        for slug, id_ in session.execute(
            sa.select(Campaign.slug, Campaign.id).where(Campaign.slug.in_(askable))
        )
    }
    for slug in slugs:
        if slug not in found or (within is not None and found[slug] not in within):
            raise ScopeError("campaigns", f"there is no campaign {slug[:64]!r}")
    return [found[slug] for slug in slugs]


def listing(session: Session) -> list[tuple[ApiKey, list[str] | None]]:
    """Every key, oldest first, with the slugs of the campaigns it is limited to (or None)."""
    return [(row, campaign_slugs(session, row)) for row in all_keys(session)]


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
