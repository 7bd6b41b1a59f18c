"""Public API: making share links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Promoter, Share
from tests.conftest import BOTH_ENGINES


def shares(app) -> list[Share]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Share).order_by(Share.id)))


@BOTH_ENGINES
def test_new_share_makes_an_anonymous_promoter(app, client, make_campaign, engine_name):
    campaign = make_campaign(slug="case", title="Stop the Snoopers")
    response = client.post("/api/v1/shares", json={"campaign": "case", "channel": "whatsapp"})
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"token", "url", "share_url", "promoter", "dashboard_url"}
    assert body["url"] == f"https://st.example/s/{body['token']}"
    assert body["share_url"].startswith("https://wa.me/?text=")
    assert body["url"] in parse_qs(urlsplit(body["share_url"]).query)["text"][0]
    assert body["dashboard_url"].startswith("https://st.example/p/")
    assert len(body["promoter"]) == 16
    [share] = shares(app)
    assert (share.campaign_id, share.channel, share.parent_id) == (campaign.id, "whatsapp", None)
    with app.app_context():
        promoter = db.session.get(Promoter, share.promoter_id)
        assert promoter.code == body["promoter"] and promoter.display_name is None


def test_same_promoter_and_channel_returns_the_same_link(app, client, make_campaign):
    make_campaign(slug="case")
    first = client.post("/api/v1/shares", json={"campaign": "case", "channel": "x"})
    # The browser's promoter cookie makes the second request the same promoter.
    again = client.post("/api/v1/shares", json={"campaign": "case", "channel": "x"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    other_channel = client.post("/api/v1/shares", json={"campaign": "case", "channel": "email"})
    assert other_channel.status_code == 201
    assert other_channel.json["promoter"] == first.json["promoter"]
    assert len(shares(app)) == 2


def test_the_promoter_key_adds_links_for_that_promoter(app, client, make_campaign):
    make_campaign(slug="case")
    first = client.post("/api/v1/shares", json={"campaign": "case", "channel": "x"}).json
    client.delete_cookie("st_promoter")
    key = first["dashboard_url"].rsplit("/", 1)[1]
    body = {"campaign": "case", "channel": "x", "promoter_key": key}
    again = client.post("/api/v1/shares", json=body)
    assert (again.status_code, again.json) == (200, first)
    other = client.post("/api/v1/shares", json=body | {"channel": "email"})
    assert other.status_code == 201
    assert other.json["promoter"] == first["promoter"]
    assert other.json["dashboard_url"] == first["dashboard_url"]


def test_a_forged_promoter_cookie_is_ignored(app, client, make_campaign):
    make_campaign(slug="case")
    client.set_cookie("st_promoter", "forged.value")
    assert (
        client.post("/api/v1/shares", json={"campaign": "case", "channel": "x"}).status_code == 201
    )


def test_parent_from_token_and_from_arrival(app, client, make_campaign, make_share):
    campaign = make_campaign(slug="case")
    parent, parent_token = make_share(campaign)
    explicit = client.post(
        "/api/v1/shares", json={"campaign": "case", "channel": "x", "parent": parent_token.upper()}
    )
    assert explicit.status_code == 201
    # A visitor arriving through the parent link, then sharing, becomes its child.
    visitor = app.test_client()
    visitor.get(f"/s/{parent_token}", headers={"User-Agent": "Mozilla/5.0 Firefox/130.0"})
    arrived = visitor.post("/api/v1/shares", json={"campaign": "case", "channel": "email"})
    assert arrived.status_code == 201
    assert [s.parent_id for s in shares(app)] == [None, parent.id, parent.id]


def test_parent_must_be_a_valid_link_of_the_same_campaign(app, client, make_campaign, make_share):
    make_campaign(slug="case")
    _, other_token = make_share()  # another campaign
    for parent in (other_token, "1.0000000000000000", "garbage"):
        response = client.post(
            "/api/v1/shares", json={"campaign": "case", "channel": "x", "parent": parent}
        )
        assert response.status_code == 422
        assert response.json["errors"][0]["field"] == "parent"
    assert shares(app)[1:] == []  # only the other campaign's share


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"campaign": "nope", "channel": "x"}, 404, None),
        ({"campaign": "case", "channel": "myspace"}, 422, "channel"),
        ({"campaign": "case", "channel": "leaflet"}, 422, "channel"),
        ({"campaign": "case"}, 422, "channel"),
        ({"campaign": "case", "channel": "x", "extra": 1}, 422, "extra"),
        ({"campaign": 5, "channel": "x"}, 422, "campaign"),
    ],
)
def test_bad_share_requests(app, client, make_campaign, body, status, field):
    make_campaign(slug="case")
    response = client.post("/api/v1/shares", json=body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    if field:
        assert field in [e["field"] for e in response.json["errors"]]
    else:
        assert "nope" in response.json["detail"]
    assert shares(app) == []


def test_ended_campaign_takes_no_new_shares(app, client, make_campaign):
    make_campaign(slug="case", status="ended")
    response = client.post("/api/v1/shares", json={"campaign": "case", "channel": "x"})
    assert response.status_code == 409
    assert shares(app) == []
