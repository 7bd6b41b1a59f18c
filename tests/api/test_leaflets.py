"""POST/GET /api/v1/campaigns/<slug>/leaflets: batches are shares on the leaflet channel."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import LeafletBatch, Share
from tests.conftest import BOTH_ENGINES

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def create(client, auth, slug, **body):
    return client.post(f"/api/v1/campaigns/{slug}/leaflets", headers=auth, json=body)


def visit(client, path, ip, ua=PHONE):
    response = client.get(path, headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 302
    return response


@BOTH_ENGINES
def test_batch_is_a_leaflet_share_and_the_list_counts_its_scans(
    app, client, auth, make_campaign, engine_name
):
    campaign = make_campaign(slug="snoopers")
    created = create(
        client, auth, "snoopers", label="Notting Hill, 24 Aug", place="Station", printed=500
    )
    assert created.status_code == 201, created.json
    body = created.json
    token = body["token"]
    assert body["url"] == f"https://st.example/s/{token}"
    assert body["qr_png_url"] == f"https://st.example/s/{token}/qr.png"
    assert body["qr_svg_url"] == f"https://st.example/s/{token}/qr.svg"
    assert urlsplit(body["print_url"]).path == f"/leaflets/{body['id']}/print"
    assert client.get(body["print_url"]).status_code == 200
    with app.app_context():
        batch = db.session.get(LeafletBatch, body["id"])
        assert (batch.share.channel, batch.share.campaign_id) == ("leaflet", campaign.id)
        assert batch.share.promoter_id is None
        assert (batch.label, batch.place, batch.printed) == ("Notting Hill, 24 Aug", "Station", 500)

    scan = f"/S/{token.upper()}/Q"
    visit(client, scan, "203.0.113.1")
    visit(client, scan, "203.0.113.1")  # the same phone again today: a scan, not a unique one
    visit(client, scan, "203.0.113.2")
    visit(client, scan, "203.0.113.3", ua="facebookexternalhit/1.1")  # a machine: not counted
    visit(client, f"/s/{token}", "203.0.113.4")  # typed from the leaflet: a visit, no scan

    listed = client.get("/api/v1/campaigns/snoopers/leaflets", headers=auth)
    assert listed.status_code == 200
    assert listed.json == {
        "leaflets": [
            {
                "id": body["id"],
                "label": "Notting Hill, 24 Aug",
                "place": "Station",
                "printed": 500,
                "visits": 4,
                "scans": 3,
                "unique_scans": 2,
                # No pledge has named the batch's link yet.
                "pledges": 0,
                "attributed_minor": 0,
                "per_100_printed_minor": 0,
            }
        ]
    }


@BOTH_ENGINES
def test_batches_may_repeat_for_one_promoter_and_lists_stay_per_campaign(
    app, client, auth, make_campaign, make_share, engine_name
):
    make_campaign(slug="snoopers")
    make_campaign(slug="other")
    share, _ = make_share(channel="link")
    with app.app_context():
        promoter_code = db.session.get(Share, share.id).promoter.code
    first = create(client, auth, "snoopers", label="March", printed=100, promoter=promoter_code)
    second = create(client, auth, "snoopers", label="Stall", printed=200, promoter=promoter_code)
    create(client, auth, "other", label="Elsewhere", printed=50)
    assert first.status_code == second.status_code == 201
    assert first.json["token"] != second.json["token"]
    with app.app_context():
        promoters = db.session.scalars(
            sa.select(Share.promoter_id).join(LeafletBatch, LeafletBatch.share_id == Share.id)
        ).all()
    assert sorted(promoters, key=str) == sorted([share.promoter_id] * 2 + [None], key=str)
    listed = client.get("/api/v1/campaigns/snoopers/leaflets", headers=auth).json["leaflets"]
    assert [(row["label"], row["scans"]) for row in listed] == [("March", 0), ("Stall", 0)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "x", "printed": 0}, "printed"),
        ({"label": "x", "printed": -5}, "printed"),
        ({"label": "x", "printed": 1.5}, "printed"),
        ({"label": "x", "printed": "500"}, "printed"),
        ({"label": "x", "printed": True}, "printed"),
        ({"label": "x", "printed": None}, "printed"),
        ({"label": "x"}, "printed"),
        ({"label": "x", "printed": 10**7 + 1}, "printed"),
        ({"label": "", "printed": 5}, "label"),
        ({"label": "   ", "printed": 5}, "label"),
        ({"label": "a\x00b", "printed": 5}, "label"),
        ({"label": "x" * 121, "printed": 5}, "label"),
        ({"printed": 5}, "label"),
        ({"label": "x", "printed": 5, "place": "p" * 201}, "place"),
        ({"label": "x", "printed": 5, "promoter": "nobody"}, "promoter"),
        ({"label": "x", "printed": 5, "colour": "red"}, "colour"),
    ],
)
def test_bad_batches_get_422_and_store_nothing(app, client, auth, make_campaign, body, field):
    make_campaign(slug="snoopers")
    response = create(client, auth, "snoopers", **body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.json["errors"]]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LeafletBatch)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Share)) == 0


def test_unknown_campaign_is_404_and_an_ended_one_409(client, auth, make_campaign):
    assert create(client, auth, "nope", label="x", printed=5).status_code == 404
    assert client.get("/api/v1/campaigns/nope/leaflets", headers=auth).status_code == 404
    make_campaign(slug="over", status="ended")
    ended = create(client, auth, "over", label="x", printed=5)
    assert ended.status_code == 409 and ended.json["type"].endswith("campaign-ended")
    make_campaign(slug="paused", status="paused")  # staff may print ahead of a relaunch
    assert create(client, auth, "paused", label="x", printed=5).status_code == 201


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer st_nope_nope"}])
def test_staff_key_is_required(client, make_campaign, method, headers):
    make_campaign(slug="snoopers")
    response = getattr(client, method)(
        "/api/v1/campaigns/snoopers/leaflets", headers=headers, json={"label": "x", "printed": 1}
    )
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_non_json_and_non_object_bodies_are_4xx(client, auth, make_campaign):
    make_campaign(slug="snoopers")
    url = "/api/v1/campaigns/snoopers/leaflets"
    assert client.post(url, headers=auth, data="label=x").status_code == 415
    assert client.post(url, headers=auth, json=[1, 2]).status_code == 422
    bad_json = client.post(url, headers={**auth, "Content-Type": "application/json"}, data="{")
    assert bad_json.status_code == 400


def test_listing_costs_the_same_queries_for_one_batch_or_many(
    client, auth, make_campaign, query_counter
):
    make_campaign(slug="snoopers")
    url = "/api/v1/campaigns/snoopers/leaflets"
    create(client, auth, "snoopers", label="first", printed=10)
    query_counter.clear()
    assert len(client.get(url, headers=auth).json["leaflets"]) == 1
    one = len(query_counter)
    for n in range(5):
        create(client, auth, "snoopers", label=f"more {n}", printed=10)
    query_counter.clear()
    assert len(client.get(url, headers=auth).json["leaflets"]) == 6
    assert len(query_counter) == one
