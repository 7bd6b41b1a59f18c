import datetime as dt

import pytest

from sharetrack.experiments import service
from sharetrack.extensions import db
from sharetrack.models import Campaign, Share, utcnow
from sharetrack.pledges import service as pledges
from tests.imports.conftest import jsonl, run_import  # noqa: F401 - the import's fixtures
from tests.staff_fixtures import *  # noqa: F403 - staff page fixtures

VARIANTS = [
    {"key": "control", "heading": "Be a promoter", "text": "Share the case."},
    {
        "key": "urgent",
        "heading": "Two weeks left to stop it",
        "text": "Every share brings money in.",
        "share_text": "Help stop the snoopers before the hearing",
        "card_headline": "Two weeks left",
    },
]


@pytest.fixture
def experiment_body() -> dict:
    return {"name": "Urgency", "allocation": "equal", "variants": [dict(v) for v in VARIANTS]}


@pytest.fixture
def stock(app):
    """Factory: views, one share and its pledges for a variant of a campaign's experiment."""

    def add(slug: str, key: str, views: int, pledges_minor=(), days_ago: int = 60):
        with app.app_context():
            campaign = db.session.query(Campaign).filter_by(slug=slug).one()
            experiment = service.running(db.session, campaign.id)
            variant = next(v for v in experiment.variants if v.key == key)
            when = utcnow() - dt.timedelta(days=days_ago)
            service.add_views(db.session, variant.id, when.date(), views)
            share = Share(
                campaign_id=campaign.id, channel="x", variant_id=variant.id, created_at=when
            )
            db.session.add(share)
            db.session.flush()
            for n, amount in enumerate(pledges_minor):
                pledges.record(
                    db.session,
                    campaign,
                    pledges.Delivery(
                        external_id=f"{key}-{share.id}-{n}",
                        amount_minor=amount,
                        currency=campaign.currency,
                        status="paid",
                        occurred_at=when + dt.timedelta(hours=1),
                        touches=((share.id, when),),
                    ),
                )
            db.session.commit()

    return add
