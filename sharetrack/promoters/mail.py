"""The emails sharetrack sends promoters: their private page address, and (opted in) a note
of what their links raised. Both are sent by the worker (promoters/tasks.py), never in a request.

They link only to our own origin (BASE_URL) and carries no image, so nothing in it tells
anyone that it was opened.
"""

from __future__ import annotations

from flask import render_template
from flask_mailman import EmailMultiAlternatives

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


NOTE_SUBJECT = "What your links raised today"


def daily_note(to: str, lines: list[str], page_url: str, unsubscribe_url: str):
    """The daily note: one line per campaign, the page's address, and one-click unsubscribe
    (RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the https URL)."""
    message = EmailMultiAlternatives(
        subject=NOTE_SUBJECT,
        body=render_template(
            "promoters/email/note.txt", lines=lines, page_url=page_url, stop_url=unsubscribe_url
        ),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_template(
            "promoters/email/note.html", lines=lines, page_url=page_url, stop_url=unsubscribe_url
        ),
        "text/html",
    )
    return message
