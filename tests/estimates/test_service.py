"""The estimate fed from the database: credits under the campaign's model, cascades, pooling."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.channels import CHANNELS
from sharetrack.estimates.service import channel_estimates, histories
from sharetrack.extensions import db
from sharetrack.models import Campaign, Share, utcnow
from tests.conftest import BOTH_ENGINES


def age_share(app, share_id: int, days: float) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Share)
            .where(Share.id == share_id)
            .values(created_at=utcnow() - dt.timedelta(days=days))
        )
        db.session.commit()


@BOTH_ENGINES
def test_credits_reach_the_share_and_its_ancestors(
    app, make_campaign, make_share, deliver, pledge_body, engine_name
):
    campaign = make_campaign(window_days=10)
    parent, parent_token = make_share(campaign, "facebook")
    child, child_token = make_share(campaign, "x", parent_id=parent.id)
    age_share(app, parent.id, 40)
    age_share(app, child.id, 30)
    assert deliver(pledge_body(campaign, amount_minor=5000, ref=child_token)).status_code == 201
    with app.app_context():
        direct = {h.channel: h for h in histories(db.session)}
        cascade = {h.channel: h for h in histories(db.session, cascade=True)}
    assert [a for _d, a in direct["x"].credits] == [5000.0]
    assert direct["facebook"].credits == ()
    assert [a for _d, a in cascade["facebook"].credits] == [5000.0]
    assert direct["x"].age_days >= 29.9 and direct["x"].window_days == 10
    assert direct["x"].credits[0][0] >= 29.9  # delay from the share's creation to the pledge


@BOTH_ENGINES
def test_every_channel_gets_an_estimate(
    app, make_campaign, make_share, deliver, pledge_body, engine_name
):
    campaign = make_campaign(window_days=7)
    tokens = []
    for _ in range(12):
        share, token = make_share(campaign, "facebook")
        age_share(app, share.id, 30)
        tokens.append(token)
    for token in tokens[:4]:
        assert deliver(pledge_body(campaign, amount_minor=3000, ref=token)).status_code == 201
    with app.app_context():
        estimates = channel_estimates(db.session, db.session.get(Campaign, campaign.id))
    facebook = estimates["facebook"].estimate
    assert facebook.shares == 12 and facebook.basis in ("campaign", "pooled")
    assert facebook.low_minor <= facebook.estimate_minor <= facebook.high_minor
    assert 0 < facebook.estimate_minor <= 3000
    assert estimates["facebook"].with_cascade_minor >= facebook.estimate_minor
    # A channel with no shares leans on the campaign's other channels, with basis "prior".
    assert estimates["bluesky"].estimate.basis == "prior"
    assert estimates["bluesky"].estimate.shares == 0
    assert list(estimates) == list(CHANNELS)


def test_credits_follow_the_campaigns_model(app, make_campaign, make_share, deliver, pledge_body):
    campaign = make_campaign(window_days=10)
    first, first_token = make_share(campaign, "facebook")
    last, last_token = make_share(campaign, "email")
    now = utcnow()
    touches = [
        {"token": first_token, "at": (now - dt.timedelta(days=2)).isoformat() + "Z"},
        {"token": last_token, "at": (now - dt.timedelta(days=1)).isoformat() + "Z"},
    ]
    assert deliver(pledge_body(campaign, amount_minor=1000, ref=touches)).status_code == 201
    with app.app_context():
        by_channel = {h.channel: sum(a for _d, a in h.credits) for h in histories(db.session)}
        assert by_channel == {"facebook": 0, "email": 1000}  # last click, the default
        db.session.execute(
            sa.update(Campaign)
            .where(Campaign.id == campaign.id)
            .values(attribution_model="first_click")
        )
        db.session.commit()
        by_channel = {h.channel: sum(a for _d, a in h.credits) for h in histories(db.session)}
        assert by_channel == {"facebook": 1000, "email": 0}


@BOTH_ENGINES
def test_a_split_pledge_reaches_each_share_with_its_fraction(
    app, make_campaign, make_share, deliver, pledge_body, engine_name
):
    campaign = make_campaign(window_days=10, attribution_model="linear")
    _first, first_token = make_share(campaign, "facebook")
    _last, last_token = make_share(campaign, "email")
    now = utcnow()
    touches = [
        {"token": first_token, "at": (now - dt.timedelta(days=2)).isoformat() + "Z"},
        {"token": last_token, "at": (now - dt.timedelta(days=1)).isoformat() + "Z"},
    ]
    assert deliver(pledge_body(campaign, amount_minor=1000, ref=touches)).status_code == 201
    with app.app_context():
        found = {h.channel: h.credits for h in histories(db.session)}
    # One pledge, credited half to each: each credit says it is half of it (counted once).
    assert [(a, f) for _d, a, f in found["facebook"]] == [(500.0, 0.5)]
    assert [(a, f) for _d, a, f in found["email"]] == [(500.0, 0.5)]
