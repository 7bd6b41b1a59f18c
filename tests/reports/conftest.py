"""Fixtures for reports: the pledge fixtures, and clicks stored at chosen times."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Click
from tests.conftest import click_rows
from tests.pledges.conftest import app_config, deliver, pledge_body  # noqa: F401


@pytest.fixture
def add_clicks(app):
    """Factory: store `n` clicks on a share at `at`, flagged as told."""

    def add(share, n: int, at: dt.datetime, unique: bool = False, bot: bool = False) -> None:
        with app.app_context():
            db.session.execute(
                sa.insert(Click),
                click_rows(share.id, at, n, unique=unique, bot=bot),
            )
            db.session.commit()

    return add


@pytest.fixture
def get_report(client, auth):
    """GET the report of a campaign; asserts 200 and returns the JSON."""

    def get(campaign, **params):
        response = client.get(
            f"/api/v1/campaigns/{campaign.slug}/report", headers=auth, query_string=params
        )
        assert response.status_code == 200, response.get_json()
        return response.json

    return get
