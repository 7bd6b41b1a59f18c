"""The published figures: as of the hour, memoized per worker with a bound, fresh on new data."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.estimates import figures
from sharetrack.extensions import db
from sharetrack.models import Campaign
from sharetrack.services import services


def test_figures_are_as_of_the_hour(app, make_campaign):
    campaign = make_campaign()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        at = dt.datetime(2026, 11, 26, 13, 47, 12)
        current = figures.current(db.session, stored, now=at)
        assert current.as_of == dt.datetime(2026, 11, 26, 13)
        assert list(current.channels) and all(
            c.estimate.level == 0.9 for c in current.channels.values()
        )


def test_the_memo_is_bounded(app, make_campaign, monkeypatch):
    monkeypatch.setattr(figures, "MEMO_SIZE", 2)
    campaigns = [make_campaign() for _ in range(3)]
    with app.app_context():
        for campaign in campaigns:
            figures.current(db.session, db.session.get(Campaign, campaign.id))
        memo = services(app).share_values
        assert len(memo) == 2
        assert [key[0] for key in memo] == [campaigns[1].id, campaigns[2].id]


def test_a_memo_hit_reads_no_share(app, make_campaign, make_share, query_counter):
    campaign = make_campaign()
    make_share(campaign, "x")
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        first = figures.current(db.session, stored)
        query_counter.clear()
        again = figures.current(db.session, stored)
        assert again is first
        # Only the fingerprint's aggregates: no share or credit is read row by row.
        assert query_counter
        assert not any(
            "shares.created_at" in q or "pledge_credits.pledged_at" in q for q in query_counter
        )


def test_changing_a_campaigns_model_changes_the_data_version(app, make_campaign):
    campaign = make_campaign()
    with app.app_context():
        before = figures.data_version(db.session)
        db.session.execute(
            sa.update(Campaign).where(Campaign.id == campaign.id).values(attribution_model="linear")
        )
        assert figures.data_version(db.session) != before
