"""Public API: a promoter asks for their page's address again, by email."""

from __future__ import annotations

from flask import current_app

from ..config import mail_enabled
from ..errors import Problem, invalid
from ..promoters import identity, tasks
from ..promoters.schemas import RecoverRequest
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
