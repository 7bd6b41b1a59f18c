"""Fixtures for estimates: the pledge fixtures, and campaigns with a known earning history."""

import datetime as dt

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Share, utcnow
from tests.imports.conftest import jsonl, run_import  # noqa: F401
from tests.pledges.conftest import app_config, deliver, pledge_body  # noqa: F401


@pytest.fixture
def earning_campaign(app, make_campaign, make_share, deliver, pledge_body):  # noqa: F811
    """Factory: a campaign whose `channel` has `shares` shares made `age_days` ago, the first
    `pledges` of which each brought a pledge of `amount_minor`."""

    def make(channel="facebook", shares=40, pledges=10, amount_minor=5000, age_days=90, **fields):
        campaign = make_campaign(window_days=7, **fields)
        made = [make_share(campaign, channel) for _ in range(shares)]
        with app.app_context():
            db.session.execute(
                sa.update(Share)
                .where(Share.id.in_([s.id for s, _t in made]))
                .values(created_at=utcnow() - dt.timedelta(days=age_days))
            )
            db.session.commit()
        for _share, token in made[:pledges]:
            body = pledge_body(campaign, amount_minor=amount_minor, ref=token)
            assert deliver(body).status_code == 201
        return campaign

    return make
