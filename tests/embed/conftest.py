"""Fixtures for the embed box: campaigns with an earning history (from tests/estimates)."""

from tests.estimates.conftest import (  # noqa: F401
    app_config,
    deliver,
    earning_campaign,
    pledge_body,
)
