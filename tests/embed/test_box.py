"""GET /embed/<slug> and its buttons: framing, the honest figures, shares made top-level."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sharetrack.channels import LISTED_CHANNELS
from sharetrack.embed import service
from sharetrack.estimates import figures
from sharetrack.estimates.share_value import Estimate
from sharetrack.extensions import db
from sharetrack.models import Share
from sharetrack.public import PROMOTER_COOKIE
from tests.conftest import BOTH_ENGINES, SAME_ORIGIN


def box(client, campaign, **query):
    return client.get(f"/embed/{campaign.slug}", query_string=query)


def share_ids(app, campaign) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Share.id).where(Share.campaign_id == campaign.id)))


def test_only_the_landing_pages_origin_may_frame_it(client, make_campaign):
    campaign = make_campaign(landing_url="https://case.example:8443/our/case?x=1")
    response = box(client, campaign)
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == "https://case.example:8443"
    assert policy["default-src"] == "'self'" and "unsafe-inline" not in str(policy)
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers  # the box needs no cookie in a third-party frame


def test_other_pages_stay_unframeable(client, make_campaign):
    campaign = make_campaign()
    response = client.get(f"/api/v1/campaigns/{campaign.slug}/share-value")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_nothing_inline_and_nothing_from_elsewhere(client, make_campaign):
    html = box(client, make_campaign()).get_data(as_text=True)
    assert "<script" not in html and "style=" not in html and "<style" not in html
    for url in re.findall(r'(?:src|href|action)="([^"]+)"', html):
        assert url.startswith("/"), url


@BOTH_ENGINES
def test_one_button_per_channel_each_with_its_own_figure(client, earning_campaign, engine_name):
    campaign = earning_campaign(shares=200, pledges=40, amount_minor=5000)
    html = box(client, campaign).get_data(as_text=True)
    values = {
        c["channel"]: c
        for c in client.get(f"/api/v1/campaigns/{campaign.slug}/share-value").json["channels"]
    }
    assert html.count('type="submit"') == len(LISTED_CHANNELS)
    facebook = values["facebook"]["display"]
    assert f'Your share on Facebook could raise <strong class="amount">{facebook}</strong>' in html
    assert "I&#39;ll share on Facebook" in html
    # X has no shares of its own in this campaign: no amount, honestly said.
    assert "Too few shares on X yet to say what one raises" in html
    assert "Your share on X could raise" not in html


def test_channels_chosen_in_the_snippet(client, make_campaign):
    campaign = make_campaign()
    html = box(client, campaign, channels="whatsapp,facebook").get_data(as_text=True)
    assert re.findall(r'name="channel" value="(\w+)"', html) == ["whatsapp", "facebook"]


@pytest.mark.parametrize("channels", ["myspace", "facebook,leaflet", ","])
def test_unknown_channels_are_refused(client, make_campaign, channels):
    response = box(client, make_campaign(), channels=channels)
    assert response.status_code == 422
    assert "Cannot show channel" in response.get_data(as_text=True)


def test_unknown_campaign_is_404(client):
    assert client.get("/embed/nope").status_code == 404


def test_an_ended_campaign_shows_no_buttons(client, make_campaign):
    html = box(client, make_campaign(status="ended")).get_data(as_text=True)
    assert "takes no new shares" in html and "<button" not in html


# The rule for hiding an amount (docs/estimate.md).
def estimate(estimate_minor=2600, low=1500, high=4000, basis="campaign", shares=100):
    return Estimate(estimate_minor, low, high, shares, basis, exposure=float(shares))


@pytest.mark.parametrize(
    ("e", "currency", "shown"),
    [
        (estimate(), "GBP", True),
        (estimate(basis="pooled"), "GBP", True),
        (estimate(basis="prior", shares=0), "GBP", False),  # nothing of its own
        (estimate(estimate_minor=99, low=50, high=150), "GBP", False),  # would read £0 or £1
        (estimate(estimate_minor=99, low=50, high=150), "JPY", True),  # ¥99 is whole
        (estimate(low=0), "GBP", False),  # could be nothing at all
        (estimate(low=300, high=3001), "GBP", False),  # high > 10 × low: means nothing
        (estimate(low=300, high=3000), "GBP", True),
    ],
)
def test_when_the_box_shows_an_amount(e, currency, shown):
    assert figures.shows_amount(e, currency) is shown


def test_snippet_is_an_iframe_of_the_box():
    html = service.snippet("https://share.example/embed/case-1", 'Stop "them"')
    assert html.startswith('<iframe src="https://share.example/embed/case-1"')
    assert 'title="Be a promoter: Stop &quot;them&quot;"' in html
    assert "allow-popups-to-escape-sandbox" in html and "allow-same-origin" in html
    assert "allow-scripts" not in html


# The buttons: POST /embed/<slug>/share in a new top-level tab.
def test_a_button_makes_the_share_and_shows_the_link(app, client, make_campaign):
    campaign = make_campaign()
    response = client.post(
        f"/embed/{campaign.slug}/share", data={"channel": "facebook"}, headers=SAME_ORIGIN
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    [link] = re.findall(r'id="link" class="link" type="url" readonly value="([^"]+)"', html)
    assert "/s/" in link
    assert "https://www.facebook.com/sharer/sharer.php?u=" in html
    assert 'data-copy="link"' in html and "js/promoter.js" in html
    assert "<script>" not in html  # CSP default-src 'self': no inline script
    [page] = re.findall(r'<a class="your-page" href="([^"]+)">Your page: see what', html)
    assert client.get(page).status_code == 200
    assert 'name="email"' not in html  # no mail server: no email field
    assert PROMOTER_COOKIE in response.headers["Set-Cookie"]
    assert len(share_ids(app, campaign)) == 1
    # The same browser again: its promoter cookie keeps the same link.
    client.post(f"/embed/{campaign.slug}/share", data={"channel": "facebook"}, headers=SAME_ORIGIN)
    assert len(share_ids(app, campaign)) == 1


def test_without_sec_fetch_site_the_origin_must_be_ours(app, client, make_campaign):
    campaign = make_campaign()
    ok = client.post(
        f"/embed/{campaign.slug}/share",
        data={"channel": "link"},
        headers={"Origin": "http://localhost"},
    )
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
def test_a_request_from_another_site_makes_nothing(app, client, make_campaign, headers):
    campaign = make_campaign()
    response = client.post(
        f"/embed/{campaign.slug}/share", data={"channel": "facebook"}, headers=headers
    )
    assert response.status_code == 403
    assert share_ids(app, campaign) == []


@pytest.mark.parametrize(("channel", "status"), [("myspace", 422), ("leaflet", 422), ("", 422)])
def test_bad_channels_are_refused(app, client, make_campaign, channel, status):
    campaign = make_campaign()
    response = client.post(
        f"/embed/{campaign.slug}/share", data={"channel": channel}, headers=SAME_ORIGIN
    )
    assert response.status_code == status and share_ids(app, campaign) == []


def test_an_ended_campaign_makes_no_share(app, client, make_campaign):
    campaign = make_campaign(status="ended")
    response = client.post(
        f"/embed/{campaign.slug}/share", data={"channel": "x"}, headers=SAME_ORIGIN
    )
    assert response.status_code == 409 and share_ids(app, campaign) == []


def test_the_buttons_share_the_apis_rate_limit(app, client, make_campaign):
    app.config["RATELIMIT_SHARES"] = "2/minute"
    campaign = make_campaign()
    statuses = [
        client.post(
            f"/embed/{campaign.slug}/share", data={"channel": "x"}, headers=SAME_ORIGIN
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
