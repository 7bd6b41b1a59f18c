"""The forecast of a campaign's total: the pure model, the staff API, dates on every way in."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import sqlalchemy as sa

from sharetrack.api.responses import CampaignForecast
from sharetrack.estimates import forecast
from sharetrack.extensions import db
from sharetrack.models import Campaign
from tests.conftest import BOTH_ENGINES

NOW = dt.datetime(2026, 11, 27, 12)
START = NOW - dt.timedelta(days=20)
END = NOW + dt.timedelta(days=20)


def steady(days: int = 20, per_day: int = 10_000) -> dict[dt.date, tuple[int, int]]:
    """Two pledges a day adding up to `per_day`, for the campaign's first `days` days."""
    return {(START + dt.timedelta(days=i)).date(): (2, per_day) for i in range(days)}


def test_no_pledges_is_zero_with_no_chance_and_no_error():
    f = forecast.forecast({}, START, END, NOW, 500_000)
    assert (f.raised_minor, f.expected_minor, f.low_minor, f.high_minor) == (0, 0, 0, 0)
    assert f.probability_of_target == 0 and f.expected_target_date is None


def test_the_forecast_brackets_the_expected_total_and_goes_beyond_what_is_raised():
    f = forecast.forecast(steady(), START, END, NOW, 10**9)
    assert f.raised_minor == 200_000
    assert f.raised_minor < f.low_minor < f.expected_minor < f.high_minor
    assert f.probability_of_target < 0.01 and f.expected_target_date is None
    # Half the life gone at a steady pace, and no ended campaigns: about as much is to come
    # (the old prior, fading by e^-3 whatever the data, said about a tenth of it).
    assert 1.7 * f.raised_minor < f.expected_minor < 2.5 * f.raised_minor
    assert [day for day, *_ in f.path][-1] == END.date()
    assert all(low <= mid <= high for _d, low, mid, high in f.path)


def test_a_reachable_target_has_its_chance_and_its_day():
    f = forecast.forecast(steady(), START, END, NOW, 225_000)
    assert 0.5 < f.probability_of_target <= 1
    assert NOW.date() <= f.expected_target_date <= END.date()
    reached = forecast.forecast(steady(), START, END, NOW, 150_000)
    assert reached.probability_of_target == 1
    assert reached.expected_target_date == (START + dt.timedelta(days=14)).date()


def test_without_an_end_it_looks_thirty_days_ahead():
    f = forecast.forecast(steady(), START, None, NOW, 0)
    assert f.ends_at == NOW + dt.timedelta(days=30)


def test_history_of_ended_campaigns_shapes_the_pace():
    # Campaigns that raised everything in their first half: little more is to come.
    early = np.clip(forecast.GRID * 2, 0, 1)
    late = forecast.GRID**4  # ... or nearly everything in their last days
    with_early = forecast.forecast(steady(), START, END, NOW, 0, [early] * 20)
    with_late = forecast.forecast(steady(), START, END, NOW, 0, [late] * 20)
    assert with_early.expected_minor < with_late.expected_minor


def test_an_ended_campaign_with_nothing_before_now_cannot_blow_the_forecast_up():
    """Its curve is 0 up to now, so it fits today's days at any level it likes, and implied
    a final total 10^8 to 10^9 times the real one in the second simulator's worlds before the
    prior on the final count (pace.TOTAL_PRIOR_SIGMA)."""
    nothing_yet = np.clip((forecast.GRID - 0.6) / 0.4, 0, 1)  # every pledge in its last 40%
    alone = forecast.forecast(steady(), START, END, NOW, 0)
    with_late_starter = forecast.forecast(steady(), START, END, NOW, 0, [nothing_yet] * 4)
    assert with_late_starter.expected_minor < 1.5 * alone.expected_minor
    assert with_late_starter.high_minor < 3 * alone.high_minor


def test_same_data_same_forecast():
    assert forecast.forecast(steady(), START, END, NOW, 1, seed="a") == forecast.forecast(
        steady(), START, END, NOW, 1, seed="a"
    )


def test_an_ended_campaign_forecasts_what_it_raised():
    f = forecast.forecast(steady(), START, NOW - dt.timedelta(days=1), NOW, 100)
    assert f.expected_minor == f.low_minor == f.high_minor == f.raised_minor


def url(slug: str) -> str:
    return f"/api/v1/campaigns/{slug}/forecast"


@BOTH_ENGINES
def test_the_api_forecasts_from_the_campaigns_pledges(
    app, client, auth, earning_campaign, make_campaign, engine_name
):
    campaign = earning_campaign(shares=10, pledges=4, amount_minor=5000, target_minor=100_000)
    response = client.get(url(campaign.slug), headers=auth)
    assert response.status_code == 200, response.text
    body = response.json
    CampaignForecast.model_validate(body)
    assert body["raised_minor"] == 20_000 and body["target_minor"] == 100_000
    assert body["low_minor"] <= body["expected_minor"] <= body["high_minor"]
    assert body["expected_minor"] >= 20_000 and body["level"] == 0.8
    assert 0 < body["probability_of_target"] <= 1
    assert body["high_minor"] < 100 * body["raised_minor"]  # a first day says little, not nothing
    # No ends_at: the next 30 days.
    ends = dt.datetime.fromisoformat(body["ends_at"].removesuffix("Z"))
    assert dt.timedelta(days=29) < ends - dt.datetime.now(dt.UTC).replace(tzinfo=None)
    empty = make_campaign(target_minor=5000)
    nothing = client.get(url(empty.slug), headers=auth).json
    assert (nothing["expected_minor"], nothing["probability_of_target"]) == (0, 0)


@BOTH_ENGINES
def test_the_forecast_is_for_staff_and_known_campaigns(client, auth, make_campaign, engine_name):
    campaign = make_campaign()
    assert client.get(url(campaign.slug)).status_code == 401
    missing = client.get(url("no-such-campaign"), headers=auth)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


CAMPAIGN = {"title": "Dates", "landing_url": "https://case.example/"}


@BOTH_ENGINES
def test_dates_are_set_by_the_api_and_must_be_in_order(app, client, auth, engine_name):
    created = client.post(
        "/api/v1/campaigns",
        json=CAMPAIGN | {"slug": "dated", "starts_at": "2026-11-01T00:00:00Z",
                         "ends_at": "2027-01-31T00:00:00Z"},
        headers=auth,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json["starts_at"] == "2026-11-01T00:00:00Z"
    assert created.json["ends_at"] == "2027-01-31T00:00:00Z"
    backwards = client.post(
        "/api/v1/campaigns",
        json=CAMPAIGN | {"slug": "backwards", "starts_at": "2026-11-01T00:00:00Z",
                         "ends_at": "2026-10-01T00:00:00Z"},
        headers=auth,
    )  # fmt: skip
    assert backwards.status_code == 422
    assert backwards.json["errors"][0]["field"] == "ends_at"
    patched = client.patch(
        "/api/v1/campaigns/dated", json={"ends_at": "2026-10-31T00:00:00Z"}, headers=auth
    )
    assert patched.status_code == 422
    with app.app_context():
        stored = db.session.scalar(sa.select(Campaign).where(Campaign.slug == "dated"))
        assert stored.ends_at == dt.datetime(2027, 1, 31)  # nothing half-stored
    default = client.post("/api/v1/campaigns", json=CAMPAIGN | {"slug": "plain"}, headers=auth)
    assert default.json["starts_at"] == default.json["created_at"]
    assert default.json["ends_at"] is None


@pytest.mark.parametrize("value", ["2026-13-01T00:00:00Z", "2300-01-01T00:00:00Z", "soon"])
def test_a_bad_date_is_422(client, auth, value):
    response = client.post(
        "/api/v1/campaigns", json=CAMPAIGN | {"slug": "bad", "ends_at": value}, headers=auth
    )
    assert response.status_code == 422


def test_an_import_line_ending_before_it_starts_is_refused(jsonl, run_import):
    line = {"type": "campaign", "slug": "imp", "title": "t", "landing_url": "https://case.example/",
            "currency": "GBP", "target_minor": 0, "starts_at": "2026-11-01T00:00:00Z",
            "ends_at": "2026-10-01T00:00:00Z"}  # fmt: skip
    result = run_import(jsonl(line))
    assert result.exit_code != 0 and "ends_at must be after the campaign starts" in result.output
    ok = run_import(jsonl(line | {"ends_at": "2027-01-01T00:00:00Z"}))
    assert ok.exit_code == 0, ok.output
