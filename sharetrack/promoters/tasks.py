"""The promoters' queued jobs (sharetrack/queue.py): every email they get is sent from here, by
the worker, so no request waits on a mail server and no answer's timing says whether an address
is known."""

from __future__ import annotations

from ..extensions import db
from ..queue import task
from ..services import services
from . import identity, mail

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
