"""GET /api/v1/campaigns/<slug>/share-value: shape, caching, filtering, the report's figures."""

from __future__ import annotations

import pytest

from sharetrack.api.responses import ShareValue
from sharetrack.channels import CHANNELS
from sharetrack.money import display_whole
from tests.conftest import BOTH_ENGINES


def url(campaign) -> str:
    return f"/api/v1/campaigns/{campaign.slug}/share-value"


@BOTH_ENGINES
def test_every_channel_has_an_estimate_with_its_interval(client, earning_campaign, engine_name):
    campaign = earning_campaign()
    response = client.get(url(campaign))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.json
    ShareValue.model_validate(body)
    assert (body["campaign"], body["currency"]) == (campaign.slug, "GBP")
    assert body["as_of"].endswith(":00:00Z")
    assert [c["channel"] for c in body["channels"]] == list(CHANNELS)
    facebook = body["channels"][0]
    assert facebook["shares"] == 40 and facebook["level"] == 0.9
    assert 0 < facebook["low_minor"] <= facebook["estimate_minor"] <= facebook["high_minor"]
    assert facebook["estimate_with_cascade_minor"] >= facebook["estimate_minor"]
    assert facebook["basis"] in ("campaign", "pooled")
    assert facebook["shows_amount"] and facebook["reason"] is None
    assert facebook["display"] == display_whole(facebook["estimate_minor"], "GBP")
    for channel in body["channels"]:
        # One rule: a figure is displayed exactly when shows_amount, else its reason says why.
        assert (channel["display"] is not None) == channel["shows_amount"]
        assert (channel["reason"] is None) == channel["shows_amount"]
    x = next(c for c in body["channels"] if c["channel"] == "x")
    assert x["shares"] == 0 and x["basis"] == "prior" and x["estimate_minor"] > 0
    assert (x["shows_amount"], x["reason"], x["display"]) == (False, "no_shares", None)


def test_cacheable_with_a_strong_etag_and_304(client, earning_campaign):
    campaign = earning_campaign(shares=10, pledges=2)
    first = client.get(url(campaign))
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    again = client.get(url(campaign), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    other = client.get(url(campaign), headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_new_data_gives_new_figures_once_the_worker_refreshes(
    app, client, earning_campaign, make_share, deliver, pledge_body
):
    campaign = earning_campaign(shares=10, pledges=2)
    before = client.get(url(campaign)).headers["ETag"]
    _share, token = make_share(campaign, "facebook")
    assert deliver(pledge_body(campaign, amount_minor=90_000, ref=token)).status_code == 201
    # Within SHARE_VALUE_REFRESH_SECONDS the worker keeps serving what it computed.
    assert client.get(url(campaign)).headers["ETag"] == before
    app.config["SHARE_VALUE_REFRESH_SECONDS"] = 0
    after = client.get(url(campaign))
    assert after.headers["ETag"] != before
    assert after.json["channels"][0]["shares"] == 11


def test_channel_filter(client, earning_campaign):
    campaign = earning_campaign(shares=5, pledges=1)
    response = client.get(url(campaign), query_string={"channel": "whatsapp"})
    assert response.status_code == 200
    assert [c["channel"] for c in response.json["channels"]] == ["whatsapp"]
    whole = client.get(url(campaign)).json["channels"]
    assert response.json["channels"][0] == next(c for c in whole if c["channel"] == "whatsapp")


@pytest.mark.parametrize("channel", ["myspace", "", "FACEBOOK"])
def test_unknown_channel_is_422_naming_it(client, make_campaign, channel):
    campaign = make_campaign()
    response = client.get(url(campaign), query_string={"channel": channel})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    [error] = response.json["errors"]
    assert error["field"] == "channel" and repr(channel) in error["message"]


def test_unknown_campaign_is_404(client):
    response = client.get("/api/v1/campaigns/nope/share-value")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("currency", "symbol"), [("GBP", "£"), ("EUR", "€"), ("USD", "$"), ("JPY", "¥")]
)
def test_display_is_whole_units_of_the_campaigns_currency(
    client, earning_campaign, currency, symbol
):
    amount = 5000 if currency != "JPY" else 500_000
    campaign = earning_campaign(currency=currency, amount_minor=amount)
    facebook = client.get(url(campaign)).json["channels"][0]
    assert facebook["display"].startswith(symbol) and facebook["display"][1].isdigit()
    assert "." not in facebook["display"]
    assert facebook["display"] == display_whole(facebook["estimate_minor"], currency)


@BOTH_ENGINES
def test_the_report_gives_the_same_figures(client, auth, earning_campaign, engine_name):
    campaign = earning_campaign()
    values = {c["channel"]: c for c in client.get(url(campaign)).json["channels"]}
    report = client.get(f"/api/v1/campaigns/{campaign.slug}/report", headers=auth).json
    assert report["channels"]
    for row in report["channels"]:
        value = values[row["channel"]]
        for key in ("estimate_minor", "low_minor", "high_minor", "basis", "shows_amount", "reason"):
            assert row[key] == value[key]
    csv_text = client.get(
        f"/api/v1/campaigns/{campaign.slug}/report",
        headers=auth,
        query_string={"format": "csv", "table": "channels"},
    ).get_data(as_text=True)
    header, first = csv_text.splitlines()[:2]
    assert header.endswith(
        "estimate_minor,low_minor,high_minor,basis,shows_amount,reason,"
        "timing_minor,timing_low_minor,timing_high_minor"
    )
    assert (
        f",{values['facebook']['estimate_minor']},"
        f"{values['facebook']['low_minor']},{values['facebook']['high_minor']},"
        f"{values['facebook']['basis']},True,,"
    ) in first


def test_rate_limited(app, client, make_campaign):
    app.config["RATELIMIT_SHARE_VALUE"] = "2/minute"
    campaign = make_campaign()
    assert [client.get(url(campaign)).status_code for _ in range(3)] == [200, 200, 429]
