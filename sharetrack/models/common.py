"""What every table module shares: id type, status names, field limits, the clock."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Status names: use these constants, never the strings.
ACTIVE, PAUSED, ENDED = "active", "paused", "ended"
CAMPAIGN_STATUSES = (ACTIVE, PAUSED, ENDED)
# The credit models (attribution/rules.py); every one is stored, reports pick one.
ATTRIBUTION_MODELS = ("last_click", "first_click", "linear", "time_decay", "position_based")
DEFAULT_ATTRIBUTION_MODEL = "last_click"
STAFF_ROLES = ("admin", "viewer")
PLEDGED, PAID, REFUNDED, CANCELLED = "pledged", "paid", "refunded", "cancelled"
PLEDGE_STATUSES = (PLEDGED, PAID, REFUNDED, CANCELLED)
# Only these count toward totals and carry credit; refunded and cancelled pledges lose theirs.
LIVE_STATUSES = (PLEDGED, PAID)
# Where a pledge came from. All but `form` are vouched for by a signature or by staff; a form
# pledge (the hosted page, no payment yet) counts only once staff confirm it.
PLEDGE_SOURCES = ("webhook", "stripe", "import", "staff", "form")
UNVERIFIED_SOURCES = ("form",)
MAX_AMOUNT_MINOR = 10**10
# Field limits: the columns, the input schemas and the forms all read these.
MAX_SLUG_LENGTH = 64
MAX_TITLE_LENGTH = 200
MAX_ORGANISER_LENGTH = 120
# An update's text on the hosted page.
MAX_UPDATE_LENGTH = 5000
MAX_WINDOW_DAYS = 365
MAX_PROMOTER_CODE_LENGTH = 32
# Touches one pledge may name (webhook refs, import lines).
MAX_PLEDGE_REFS = 50
# The largest single pledge a new campaign takes; each campaign can set its own.
DEFAULT_MAX_PLEDGE_MINOR = 1_000_000


def utcnow() -> dt.datetime:
    """The current time as naive UTC, the form every timestamp column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_key_secret() -> str:
    """A promoter's random secret: 128 bits, never shown to anyone."""
    return secrets.token_urlsafe(16)


def in_(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
