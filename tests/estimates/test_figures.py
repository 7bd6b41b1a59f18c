"""The published figures: as of the hour, kept in one shared row per campaign, fresh on new data."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from sharetrack.estimates import figures
from sharetrack.estimates.share_value import Estimate
from sharetrack.extensions import db
from sharetrack.models import Campaign, ShareValueFigures
from sharetrack.money import display_whole
from tests.conftest import SAME_ORIGIN
from tests.pledges.test_page import confirm_all, open_page


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


def test_figures_are_kept_in_one_row_per_campaign(app, make_campaign, make_share):
    campaign = make_campaign()
    make_share(campaign, "x")
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        first = figures.current(db.session, stored)
        row = db.session.get(ShareValueFigures, campaign.id)
        assert row.fingerprint == figures.fingerprint(db.session)
        assert row.as_of == first.as_of
        assert figures.current(db.session, stored) == first


def test_a_stored_hit_reads_no_share(app, make_campaign, make_share, query_counter):
    campaign = make_campaign()
    make_share(campaign, "x")
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        first = figures.current(db.session, stored)
        query_counter.clear()
        again = figures.current(db.session, stored)
        assert again == first
        # Only the fingerprint's aggregates and the stored row: no share or credit row by row.
        assert query_counter
        assert not any(
            "shares.created_at" in q or "pledge_credits.pledged_at" in q for q in query_counter
        )


def test_figures_stored_by_another_version_of_the_model_are_computed_again(
    app, make_campaign, make_share
):
    campaign = make_campaign()
    make_share(campaign, "x")
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        first = figures.current(db.session, stored)
        row = db.session.get(ShareValueFigures, campaign.id)
        old = json.loads(row.body)
        del old["version"]  # as the estimator before issue 25 stored them (no exposure kept)
        for channel in old["channels"]:
            del channel["exposure"]
        row.body = json.dumps(old)
        db.session.commit()
        again = figures.current(db.session, stored)
        assert again == first  # recomputed, not read as figures without exposure ("too new")
        assert json.loads(db.session.get(ShareValueFigures, campaign.id).body)["version"] == (
            figures.MODEL_VERSION
        )


def test_changing_a_campaigns_model_changes_the_data_version(app, make_campaign):
    campaign = make_campaign()
    with app.app_context():
        before = figures.data_version(db.session)
        db.session.execute(
            sa.update(Campaign).where(Campaign.id == campaign.id).values(attribution_model="linear")
        )
        assert figures.data_version(db.session) != before


def test_an_unconfirmed_form_pledge_leaves_the_data_version_until_confirmed(
    app, client, make_campaign
):
    hosted = make_campaign(pledge_page=True)
    with app.app_context():
        before = figures.data_version(db.session)
    open_page(client, hosted)
    posted = client.post(f"/c/{hosted.slug}/pledge", data={"amount": "25"}, headers=SAME_ORIGIN)
    assert posted.status_code == 303
    with app.app_context():
        assert figures.data_version(db.session) == before  # nothing anonymous moves it
    confirm_all(app)
    with app.app_context():
        assert figures.data_version(db.session) != before


def test_a_row_replaced_by_another_worker_wins(app, make_campaign, make_share):
    """Two workers computing at once: the one that writes second answers the first's figures."""
    campaign = make_campaign()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        mine = figures.current(db.session, stored)
        seen = figures._stored(campaign.id)
        theirs = figures.Figures(mine.as_of, {})
        assert figures._store(campaign.id, mine.as_of, "theirs", figures._encode(theirs), seen)
        # My write, based on the row as I first saw it, is refused: the row was replaced.
        assert not figures._store(campaign.id, mine.as_of, "mine", figures._encode(mine), seen)
        assert figures._stored(campaign.id).fingerprint == "theirs"


def _estimate(estimate_minor=2600, low=1800, high=3500, shares=12, exposure=None) -> Estimate:
    exposure = float(shares) if exposure is None else exposure
    return Estimate(estimate_minor, low, high, shares, "campaign", exposure=exposure)


def test_one_rule_for_too_few_to_say():
    assert figures.hidden_reason(_estimate(), "GBP") is None
    assert figures.display(_estimate(), "GBP") == display_whole(2600, "GBP")
    assert figures.hidden_reason(_estimate(shares=0), "GBP") == "no_shares"
    # Information, not a count: a thousand shares an hour old have earned almost nothing yet.
    assert figures.hidden_reason(_estimate(shares=1000, exposure=0.6), "GBP") == "too_new"
    assert figures.hidden_reason(_estimate(estimate_minor=99, low=50, high=150), "GBP") == (
        "below_one_unit"
    )
    assert figures.hidden_reason(_estimate(estimate_minor=99, low=50, high=150), "JPY") is None
    assert figures.hidden_reason(_estimate(low=0), "GBP") == "interval_too_wide"
    assert figures.hidden_reason(_estimate(low=300, high=3100), "GBP") == "interval_too_wide"
    assert figures.display(_estimate(shares=0), "GBP") is None
    assert set(figures.REASON_TEXT) == set(figures.REASONS)
