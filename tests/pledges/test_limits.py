"""Limits on what the public can send: the share buttons' rate, each campaign's largest pledge."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Campaign, Pledge
from tests.campaigns.test_pages import GOOD, submit
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN
from tests.pledges.conftest import iso
from tests.pledges.test_page import open_page
from tests.staff_fixtures import *  # noqa: F403  (admin)
from tests.staff_fixtures import errors_in


def test_the_hosted_share_buttons_take_the_shares_limit(app, client, make_campaign):
    app.config["RATELIMIT_SHARES"] = "2/minute"
    hosted = make_campaign(pledge_page=True)
    open_page(client, hosted)
    statuses = [
        client.post(
            f"/c/{hosted.slug}/share", data={"channel": channel}, headers=SAME_ORIGIN
        ).status_code
        for channel in ("x", "facebook", "email")
    ]
    assert statuses == [200, 200, 429]


def test_the_pledge_form_takes_its_own_limit(app, client, make_campaign):
    app.config["RATELIMIT_PLEDGE_FORM"] = "1/minute"
    hosted = make_campaign(pledge_page=True)
    open_page(client, hosted)
    first, second = (
        client.post(f"/c/{hosted.slug}/pledge", data={"amount": "5"}, headers=SAME_ORIGIN)
        for _ in range(2)
    )
    assert (first.status_code, second.status_code) == (303, 429)
    assert second.headers["Retry-After"].isdigit()


def test_the_form_refuses_more_than_the_campaigns_largest_pledge(app, client, make_campaign):
    hosted = make_campaign(pledge_page=True, max_pledge_minor=5_000)
    response = client.post(
        f"/c/{hosted.slug}/pledge",
        data={"amount": "50.01"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert '<span class="error" id="amount-error">Pledges here go up to £50.</span>' in (
        response.text
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Pledge)) == 0


def test_the_webhook_refuses_more_than_the_campaigns_largest_pledge(
    app, make_campaign, deliver, pledge_body
):
    campaign = make_campaign(max_pledge_minor=5_000)
    response = deliver(pledge_body(campaign, amount_minor=5_001))
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["amount_minor"]
    assert deliver(pledge_body(campaign, amount_minor=5_000)).status_code == 201


def test_admins_set_the_largest_pledge_in_the_campaign_form(app, admin):
    assert submit(admin, "/staff/new", **GOOD).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Campaign.max_pledge_minor)) == 1_000_000
    form = admin.get("/staff/campaigns/snoopers/edit").text
    assert 'name="max_pledge"' in form and 'value="10,000.00"' in form
    bad = submit(admin, "/staff/campaigns/snoopers/edit", **(GOOD | {"max_pledge": "0"}))
    assert bad.status_code == 422
    assert errors_in(bad.text) == {"max_pledge": "Largest pledge must be above zero"}
    good = submit(admin, "/staff/campaigns/snoopers/edit", **(GOOD | {"max_pledge": "250.50"}))
    assert good.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Campaign.max_pledge_minor)) == 25_050


@BOTH_ENGINES
def test_a_stored_pledge_is_refunded_whatever_the_largest_pledge_is_now(
    app, make_campaign, deliver, pledge_body, engine_name
):
    campaign = make_campaign(max_pledge_minor=50_000)
    paid = pledge_body(campaign, amount_minor=40_000, status="paid", occurred_at=iso(ago(10)))
    assert deliver(paid).status_code == 201
    with app.app_context():  # staff lower the limit below the pledge already taken
        db.session.get(Campaign, campaign.id).max_pledge_minor = 10_000
        db.session.commit()
    refund = paid | {"status": "refunded", "occurred_at": iso(ago(5))}
    assert deliver(refund).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Pledge.status)) == "refunded"
    # A new pledge above the limit is still refused.
    assert deliver(pledge_body(campaign, amount_minor=10_001)).status_code == 422


def ago(minutes: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=minutes)
