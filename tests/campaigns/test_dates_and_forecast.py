"""The campaign form's start and end dates, and the forecast's fan chart on the report page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Campaign
from tests.conftest import BOTH_ENGINES
from tests.estimates.conftest import earning_campaign  # noqa: F401, F811
from tests.pledges.conftest import app_config, deliver, pledge_body  # noqa: F401
from tests.staff_fixtures import csrf_from, errors_in

GOOD = {
    "slug": "dated",
    "title": "Dated",
    "landing_url": "https://case.example/pledge",
    "currency": "GBP",
    "target": "10,000",
    "window_days": "30",
    "status": "active",
}


def submit(client, path, **fields):
    token = csrf_from(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **fields})


def stored(app, slug: str) -> Campaign | None:
    with app.app_context():
        return db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))


@BOTH_ENGINES
def test_the_form_sets_dates_and_refuses_an_end_before_the_start(app, admin, engine_name):
    backwards = submit(admin, "/staff/new", **GOOD, starts_at="2026-11-10", ends_at="2026-11-01")
    assert backwards.status_code == 422
    assert "after the campaign starts" in errors_in(backwards.text)["ends_at"]
    assert stored(app, "dated") is None
    bad = submit(admin, "/staff/new", **GOOD, ends_at="next week")
    assert bad.status_code == 422 and "date like" in errors_in(bad.text)["ends_at"]
    ok = submit(admin, "/staff/new", **GOOD, starts_at="2026-11-01", ends_at="2027-01-31")
    assert ok.status_code == 303
    campaign = stored(app, "dated")
    assert (campaign.starts_at, campaign.ends_at) == (
        dt.datetime(2026, 11, 1),
        dt.datetime(2027, 1, 31),
    )
    edit = submit(admin, "/staff/campaigns/dated/edit", **GOOD, ends_at="2026-10-01")
    assert edit.status_code == 422
    assert "after the campaign starts" in errors_in(edit.text)["ends_at"]
    assert stored(app, "dated").ends_at == dt.datetime(2027, 1, 31)


@BOTH_ENGINES
def test_the_report_shows_the_forecast_with_its_fan_chart(
    admin,
    auth,
    client,
    earning_campaign,  # noqa: F811
    engine_name,
):
    campaign = earning_campaign(shares=10, pledges=3, target_minor=100_000)
    page = admin.get(f"/staff/campaigns/{campaign.slug}").text
    api = client.get(f"/api/v1/campaigns/{campaign.slug}/forecast", headers=auth).json
    section = page.split('id="forecast-heading"', 1)[1].split('id="channels-heading"', 1)[0]
    assert 'aria-labelledby="forecast-title-wide"' in section and "<polygon" in section
    assert pounds(api["expected_minor"]) in section
    assert pounds(api["low_minor"]) in section


def pounds(minor: int) -> str:
    """How the page writes an amount: `£1,804` when whole, `£1,804.50` otherwise."""
    return f"£{minor // 100:,}" if minor % 100 == 0 else f"£{minor / 100:,.2f}"


@BOTH_ENGINES
def test_without_pledges_the_report_says_so(admin, make_campaign, engine_name):
    campaign = make_campaign()
    page = admin.get(f"/staff/campaigns/{campaign.slug}").text
    assert "No pledges yet: nothing to forecast." in page
