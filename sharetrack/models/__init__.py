"""The tables, one module per concept. Money is integer minor units; times are naive UTC.

Everything is re-exported here, so callers import `from sharetrack.models import X`; importing
this package registers every table on the metadata (create_all, Alembic).
"""

from .campaigns import Campaign, LeafletBatch, Promoter, Share
from .clicks import Click, ClickChannelDay, ClickDay, ClickRollup, DailySalt
from .common import (
    ACTIVE,
    ATTRIBUTION_MODELS,
    CAMPAIGN_STATUSES,
    CANCELLED,
    DEFAULT_ATTRIBUTION_MODEL,
    DEFAULT_MAX_PLEDGE_MINOR,
    ENDED,
    LIVE_STATUSES,
    MAX_AMOUNT_MINOR,
    MAX_PLEDGE_REFS,
    MAX_PROMOTER_CODE_LENGTH,
    MAX_SLUG_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_WINDOW_DAYS,
    PAID,
    PAUSED,
    PLEDGE_SOURCES,
    PLEDGE_STATUSES,
    PLEDGED,
    REFUNDED,
    STAFF_ROLES,
    UNVERIFIED_SOURCES,
    BigId,
    new_key_secret,
    utcnow,
)
from .experiments import Experiment, Variant, VariantDay
from .figures import ShareValueFigures
from .pledges import ImportFile, Pledge, PledgeCredit, PledgeReview, PledgeTouch
from .staff import ApiKey, StaffUser

__all__ = [
    "ACTIVE",
    "ATTRIBUTION_MODELS",
    "CANCELLED",
    "ENDED",
    "PAID",
    "PAUSED",
    "PLEDGED",
    "REFUNDED",
    "CAMPAIGN_STATUSES",
    "DEFAULT_ATTRIBUTION_MODEL",
    "DEFAULT_MAX_PLEDGE_MINOR",
    "LIVE_STATUSES",
    "MAX_AMOUNT_MINOR",
    "MAX_PLEDGE_REFS",
    "MAX_PROMOTER_CODE_LENGTH",
    "MAX_SLUG_LENGTH",
    "MAX_TITLE_LENGTH",
    "MAX_WINDOW_DAYS",
    "PLEDGE_SOURCES",
    "PLEDGE_STATUSES",
    "STAFF_ROLES",
    "UNVERIFIED_SOURCES",
    "ApiKey",
    "BigId",
    "Campaign",
    "Click",
    "ClickChannelDay",
    "ClickDay",
    "ClickRollup",
    "DailySalt",
    "Experiment",
    "ImportFile",
    "LeafletBatch",
    "Pledge",
    "PledgeCredit",
    "PledgeReview",
    "PledgeTouch",
    "Promoter",
    "Share",
    "ShareValueFigures",
    "StaffUser",
    "Variant",
    "VariantDay",
    "new_key_secret",
    "utcnow",
]
