"""The promoters' queued jobs (sharetrack/queue.py): every email they get is sent from here, by
the worker, so no request waits on a mail server and no answer's timing says whether an address
is known."""

from __future__ import annotations

import logging

from flask import current_app

from .. import formatting
from ..config import notes_enabled
from ..extensions import db
from ..models import utcnow
from ..queue import crontab, periodic, task
from ..services import services
from . import identity, mail, notes

log = logging.getLogger(__name__)

# Mail retries: 30 s, 1 min, 2 min, … about half an hour in all before the job fails for good.
MAIL_RETRIES = 6
MAIL_RETRY_DELAY = 30


@task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY)
def mail_pages(address: str, urls: list[str]) -> None:
    """Send a promoter their page's address(es)."""
    mail.page_address(address, urls).send()


@task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY)
def mail_recovery(address: str, base_url: str) -> None:
    """Send the page addresses of the promoters who gave this (checked) address, if any did.

    The look-up runs here rather than in the request, so the request does the same work for a
    known address as for an unknown one.
    """
    keys = identity.recovery_keys(db.session, services().tokens, address)
    db.session.commit()  # secrets made for rows an older release wrote; hashes re-keyed
    if keys:
        mail.page_address(address, [f"{base_url}/p/{key}" for key in keys]).send()


@periodic(crontab(minute="7"))  # hourly: each note goes a day after the last (or the ask)
def send_notes() -> None:
    """Send the notes that are due; a failed one is tried again at the next run."""
    config = current_app.config
    base = config.get("BASE_URL")  # no request here: links need the configured origin
    if not (notes_enabled(config) and base):
        return
    now = utcnow()
    due = notes.due(db.session, services().tokens, config["NOTES_KEYS"], now)
    db.session.commit()  # addresses re-encrypted under the first key
    for note in due:
        lines = [
            f"Your links raised {formatting.money(r.minor, r.currency)} for {r.campaign} today: "
            f"{r.pledges} pledge{'s' if r.pledges != 1 else ''}"
            for r in note.raised
        ]
        message = mail.daily_note(
            note.address,
            lines,
            f"{base}/p/{note.page_key}",
            f"{base}/p/stop/{note.unsubscribe_token}",
        )
        try:
            message.send()
        except Exception as exc:  # the next run tries again; the class only (SMTP names whom)
            log.error("note not sent: %s", type(exc).__name__)
            continue
        notes.mark_sent(db.session, note.promoter_id, now)
        db.session.commit()


@periodic(crontab(minute="37", hour="3"))
def purge_notes() -> None:
    """Delete the note addresses kept past NOTES_RETENTION_DAYS after their campaigns ended."""
    deleted = notes.purge(db.session, int(current_app.config["NOTES_RETENTION_DAYS"]))
    db.session.commit()
    log.info("note addresses deleted: %d", deleted)
