"""Fixtures for pledges: a webhook secret (and an older one), signed deliveries, bodies."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from sharetrack.pledges.signatures import HEADER, sign

SECRET = "whsec-current-0123456789"
OLD_SECRET = "whsec-previous-9876543210"


@pytest.fixture
def app_config(app_config) -> dict:
    """The test app with a current webhook secret and an older one still accepted."""
    return {**app_config, "WEBHOOK_SECRET": SECRET, "WEBHOOK_SECRETS": [OLD_SECRET]}


def iso(moment: dt.datetime) -> str:
    """A naive UTC time as ISO 8601 with an offset, as a platform sends it."""
    return moment.replace(tzinfo=dt.UTC).isoformat()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@pytest.fixture
def pledge_body():
    """Factory: a valid delivery body for `campaign`; keywords override fields."""
    counter = iter(range(1, 10**6))

    def make(campaign, **fields) -> dict:
        return {
            "external_id": f"ext-{next(counter)}",
            "campaign": campaign.slug,
            "amount_minor": 2500,
            "currency": campaign.currency,
            "status": "pledged",
            "occurred_at": iso(now() - dt.timedelta(minutes=5)),
        } | fields

    return make


@pytest.fixture
def deliver(client):
    """Send a delivery signed with SECRET (or as told); returns the response."""

    def send(
        body: dict | None = None,
        *,
        raw: bytes | None = None,
        secret: str | list[str] = SECRET,
        timestamp: int | None = None,
        skew: int = 0,
        header: str | None = None,
        content_type: str = "application/json",
    ):
        raw = raw if raw is not None else json.dumps(body).encode()
        timestamp = int(time.time()) + skew if timestamp is None else timestamp
        headers = {"Content-Type": content_type}
        signature = header if header is not None else sign(secret, timestamp, raw)
        if signature:
            headers[HEADER] = signature
        return client.post("/api/v1/pledges", data=raw, headers=headers)

    return send
