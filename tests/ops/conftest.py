"""Fixtures for the operations endpoints: settings per test, signed pledge deliveries."""

from __future__ import annotations

import pytest

from tests.pledges.conftest import SECRET, deliver, pledge_body  # noqa: F401  (fixtures)

METRICS_TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def app_config(app_config, request):
    """A webhook secret and a metrics token; a test may add settings by indirect parameters."""
    settings = {"WEBHOOK_SECRET": SECRET, "METRICS_TOKEN": METRICS_TOKEN}
    return {**app_config, **settings, **getattr(request, "param", {})}
