"""Who a promoter is: a public code that proves nothing, a private key, a cookie, an email hash.

The key (/p/<key>) and the cookie value are HMACs, under their own salts, over the promoter's
id and a random secret stored with them: neither can be made from anything public, neither
opens the other's door, and a new secret (erase, re-key) voids both. See docs/adr/0504.
"""

from __future__ import annotations

import sqlalchemy as sa
from itsdangerous import BadData
from sqlalchemy.orm import Session

from ..auth.staff import email_problem, normalise_email
from ..links import service as links
from ..models import Promoter, new_key_secret
from ..signing import Tokens
from ..validation import is_id

MAX_KEY_LENGTH = 200  # keys are ~50 characters, old page tokens ~50; longer is never ours


class BadEmail(ValueError):
    """An address that cannot be used; the message says why."""


def secret_of(promoter: Promoter) -> str:
    """The promoter's secret, made now for a row an older release wrote without one."""
    if not promoter.key_secret:
        promoter.key_secret = new_key_secret()
    return promoter.key_secret


def private_key(tokens: Tokens, promoter: Promoter) -> str:
    """The secret in the promoter's page address, /p/<key>."""
    return tokens.promoter_key(promoter.id, secret_of(promoter))


def browser_value(tokens: Tokens, promoter: Promoter) -> str:
    """What the promoter cookie holds: signed for that purpose, never the key itself."""
    return tokens.promoter_browser(promoter.id, secret_of(promoter))


def by_key(session: Session, tokens: Tokens, key: str) -> Promoter | None:
    """The promoter whose private key this is, or None (forged, altered, re-keyed, erased).

    An old page token (signed over the code) still counts while the promoter's `legacy_key`
    says their code never went out.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    promoter = _signed(session, tokens, key)
    if promoter is not None and tokens.promoter_key_ok(key, promoter.id, promoter.key_secret):
        return promoter
    code = tokens.dashboard_code(key)
    return _legacy(session, code)


def by_browser(session: Session, tokens: Tokens, value: str | None) -> Promoter | None:
    """The promoter a browser's cookie value names, or None."""
    if not value or len(value) > MAX_KEY_LENGTH:
        return None
    promoter = _signed(session, tokens, value)
    if promoter is not None and tokens.promoter_browser_ok(value, promoter.id, promoter.key_secret):
        return promoter
    try:
        code = tokens.promoter_cookie.loads(value)
    except (BadData, UnicodeError, ValueError):  # a bad cookie: no promoter yet
        return None
    return _legacy(session, code)


def _signed(session: Session, tokens: Tokens, value: str) -> Promoter | None:
    promoter_id = tokens.signed_promoter_id(value)
    if promoter_id is None or not is_id(promoter_id):
        return None
    promoter = session.get(Promoter, promoter_id)
    return promoter if promoter is not None and promoter.key_secret else None


def _legacy(session: Session, code: object) -> Promoter | None:
    if not isinstance(code, str) or len(code) > 32:
        return None
    promoter = links.promoter_by_code(session, code)
    return promoter if promoter is not None and promoter.legacy_key else None


def rekey(promoter: Promoter) -> None:
    """A new secret: the old key, cookie and any old page token stop naming the promoter."""
    promoter.key_secret = new_key_secret()
    promoter.legacy_key = False


def checked_email(email: str) -> str:
    """The address as it is hashed (trimmed, lower-cased); BadEmail if it is not one."""
    normal = normalise_email(email)
    if problem := email_problem(normal):
        raise BadEmail(problem)
    return normal


def email_hash(tokens: Tokens, email: str) -> str:
    """The keyed hash of a (checked) address that is stored, and counts its rate limit."""
    return tokens.email_hashes(email)[0]


def remember_email(tokens: Tokens, promoter: Promoter, email: str) -> None:
    """Keep the keyed hash of the (checked) address, never the address."""
    promoter.email_hash = email_hash(tokens, email)


def by_email(session: Session, tokens: Tokens, email: str) -> list[Promoter]:
    """The promoters who gave this (checked) address, oldest first."""
    return list(
        session.scalars(
            sa.select(Promoter)
            .where(Promoter.email_hash.in_(tokens.email_hashes(email)))
            .order_by(Promoter.id)
        )
    )


def recovery_keys(session: Session, tokens: Tokens, email: str) -> list[str]:
    """The private keys of the promoters who gave this (checked) address: none if nobody did.

    A hash made under an older secret key is brought up to the current one on the way.
    """
    found = by_email(session, tokens, email)
    for promoter in found:
        remember_email(tokens, promoter, email)
    return [private_key(tokens, p) for p in found]
