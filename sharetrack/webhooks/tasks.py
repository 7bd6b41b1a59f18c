"""The webhooks' queued job (sharetrack/queue.py): every minute the worker sends the due
deliveries, retries included, and announces campaigns whose end date has passed."""

from __future__ import annotations

import logging

from ..queue import crontab, periodic
from . import delivery

log = logging.getLogger(__name__)


@periodic(crontab(minute="*"))
def deliver_webhooks() -> None:
    """Run due deliveries once: what `flask deliver-webhooks` does by hand."""
    summary = delivery.deliver_due_in_app()
    if summary.sent:
        log.info("webhooks: sent %d, delivered %d", summary.sent, summary.delivered)
