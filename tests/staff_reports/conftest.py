"""Fixtures for the staff report pages: signed-in clients, pledges, clicks, a seeded campaign."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.links import service as links
from sharetrack.models import Click, Share
from sharetrack.promoters import identity
from sharetrack.services import services
from sharetrack.tracking import rollup
from tests.pledges.conftest import app_config, deliver, iso, pledge_body  # noqa: F401
from tests.reports.conftest import add_clicks, get_report  # noqa: F401
from tests.staff_fixtures import *  # noqa: F403  (shared page fixtures)

NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
DAY = dt.timedelta(days=1)


def ago(days: int, hour: int = 12) -> dt.datetime:
    """Noon (or `hour`) UTC `days` days ago."""
    return dt.datetime.combine(NOW.date() - days * DAY, dt.time(hour))


@pytest.fixture
def seeded(app, make_campaign, make_share, add_clicks, deliver, pledge_body):  # noqa: F811
    """A campaign with a promoter, a three-level cascade, clicks on closed and open days, and
    pledges touching several shares, so the five models credit differently."""
    campaign = make_campaign(title="Stop the Snoopers", target_minor=100_000)
    with app.app_context():
        ada = links.create_promoter(db.session, display_name="Ada")
        db.session.commit()
        code = ada.code
    root, root_token = make_share(campaign, channel="facebook", promoter_code=code)
    child, child_token = make_share(campaign, channel="x", parent_id=root.id)
    leaf, leaf_token = make_share(campaign, channel="whatsapp", parent_id=child.id)
    email, email_token = make_share(campaign, channel="email")
    with app.app_context():  # the shares were made a week ago, before their clicks
        db.session.execute(
            sa.update(Share).where(Share.campaign_id == campaign.id).values(created_at=ago(7, 9))
        )
        db.session.commit()
    for share, days, n in [
        (root, 6, 40),
        (child, 5, 12),
        (leaf, 3, 7),
        (email, 2, 9),
        (root, 0, 3),
    ]:
        add_clicks(share, n, ago(days), unique=True)
        add_clicks(share, 1, ago(days), bot=True)
    for amount, refs, days in [
        (2_500, [(root_token, 6), (leaf_token, 3)], 3),
        (10_000, [(child_token, 5), (email_token, 2), (leaf_token, 2)], 2),
        (700, [(email_token, 1)], 1),
        (1_234, [(root_token, 1)], 0),
    ]:
        ref = [{"token": t, "at": iso(ago(d, 10))} for t, d in refs]
        response = deliver(
            pledge_body(campaign, amount_minor=amount, ref=ref, occurred_at=iso(ago(days, 13)))
        )
        assert response.status_code == 201, response.get_json()
    with app.app_context():
        promoter = links.promoter_by_code(db.session, code)
        dashboard = identity.private_key(services(app).tokens, promoter)
        db.session.commit()
    return SimpleNamespace(campaign=campaign, dashboard=dashboard, root=root)


@pytest.fixture
def retention(app):
    """Fold closed days, then delete their raw clicks, as a retention job would."""

    def run() -> int:
        with app.app_context():
            rollup.fold(db.session)
            watermark = rollup.watermark(db.session)
            deleted = db.session.execute(
                sa.delete(Click).where(Click.at < dt.datetime.combine(watermark, dt.time()))
            ).rowcount
            db.session.commit()
        return deleted

    return run
