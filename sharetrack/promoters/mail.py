"""The one email sharetrack sends: a promoter's private page address, in plain text and HTML.

It links only to our own origin (BASE_URL) and carries no image, so nothing in it tells
anyone that it was opened.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives

log = logging.getLogger(__name__)
SUBJECT = "Your sharetrack page"


def page_address(to: str, pages: list[str]) -> EmailMultiAlternatives:
    """The email that gives a promoter their private page address(es)."""
    message = EmailMultiAlternatives(
        subject=SUBJECT,
        body=render_template("promoters/email/page_address.txt", pages=pages),
        to=[to],
    )
    message.attach_alternative(
        render_template("promoters/email/page_address.html", pages=pages), "text/html"
    )
    return message


def send_after(response, messages: list[EmailMultiAlternatives]) -> None:
    """Send once the answer has gone out, so its timing says nothing of whether we knew the
    address (and a slow mail server never holds the answer back)."""
    if not messages:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def send() -> None:
        with app.app_context():
            for message in messages:
                try:
                    message.send()
                except Exception as exc:  # mail server away: the page said nothing either way
                    # The class only: SMTP errors carry the recipient, whose address we never
                    # keep, in their message.
                    log.error("page address email not sent: %s", type(exc).__name__)

    response.call_on_close(send)
