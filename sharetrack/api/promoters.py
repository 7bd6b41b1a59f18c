"""Public API: a promoter asks for their page's address again by email, and turns notes of
what their links raise on or off (with their private key)."""

from __future__ import annotations

from flask import current_app

from ..config import mail_enabled, notes_enabled
from ..errors import Problem, invalid
from ..extensions import db
from ..models import utcnow
from ..promoters import identity, notes, tasks
from ..promoters.schemas import NotesRequest, RecoverRequest
from ..public import app_tokens, base_url
from ..ratelimit import limit_per, limited
from . import bp
from .body import parse
from .openapi import Reply, operation


@bp.post("/promoters/recover")
@operation(
    "Email a promoter their page's address, if they gave this address; the answer is the same "
    "either way",
    body=RecoverRequest,
    responses={202: Reply("Sent if the address is known; nothing says which")},
    limited=True,
    errors=(503,),
    tags=("promoters",),
)
@limited("RATELIMIT_RECOVER")
def recover():
    """Send the page address(es) to this address if a promoter gave it; always 202."""
    body = parse(RecoverRequest)  # a bad body is the client's to fix, mail or no mail
    if not mail_enabled(current_app.config):
        raise Problem(
            503,
            "Service Unavailable",
            "This service sends no email, so it cannot send a page's address.",
            slug="mail-not-configured",
        )
    try:
        address = identity.checked_email(body.email)
    except identity.BadEmail as bad:
        raise invalid([{"field": "email", "message": str(bad)}]) from None
    limit_per(
        "RATELIMIT_EMAIL_ADDRESS",
        identity.email_hash(app_tokens(), address),
        "email",
        "emails to this address",
    )
    # The same work whether the address is known or not: the worker looks it up (and mails it).
    tasks.mail_recovery.enqueue(address, base_url())
    return current_app.response_class(status=202)


@bp.post("/promoters/notes")
@operation(
    "Turn a promoter's notes on (at most one a day, of what their links raised) or off",
    body=NotesRequest,
    responses={204: Reply("Done: notes on for that address, or off with the address deleted")},
    limited=True,
    errors=(404, 409),
    tags=("promoters",),
)
@limited("RATELIMIT_RECOVER")
def set_notes():
    """Keep the address (encrypted) for notes, or delete it; the private key says whose."""
    body = parse(NotesRequest)
    promoter = identity.by_key(db.session, app_tokens(), body.key)
    if promoter is None:
        raise Problem(404, "Not Found", "This is not a promoter's key.", slug="unknown-promoter")
    if body.email is None:
        notes.opt_out(promoter)
    elif not notes_enabled(current_app.config):
        raise Problem(
            409,
            "Conflict",
            "This service sends no notes: it has no mail server or no key to keep addresses.",
            slug="notes-not-available",
        )
    else:
        try:
            notes.opt_in(promoter, body.email, current_app.config["NOTES_KEYS"], utcnow())
        except notes.NotesRefused as bad:
            raise invalid([{"field": "email", "message": str(bad)}]) from None
    db.session.commit()
    return "", 204
