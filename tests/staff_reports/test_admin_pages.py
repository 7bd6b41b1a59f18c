"""Admins make leaflet batches and API keys from the staff pages; viewers cannot."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import ApiKey, LeafletBatch
from tests.staff_fixtures import csrf_from, errors_in


def batches(app) -> list[LeafletBatch]:
    with app.app_context():
        return list(db.session.scalars(sa.select(LeafletBatch).order_by(LeafletBatch.id)))


def post_leaflets(client, campaign, **fields):
    path = f"/staff/campaigns/{campaign.slug}"
    token = csrf_from(client.get(path).text)
    return client.post(f"{path}/leaflets", data={"csrf_token": token, **fields})


def test_an_admin_makes_a_leaflet_batch_and_gets_its_print_link(app, admin, make_campaign, auth):
    campaign = make_campaign()
    response = post_leaflets(admin, campaign, label="Market stall", place="Leeds", printed="1,500")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/campaigns/{campaign.slug}#leaflets"
    [batch] = batches(app)
    assert (batch.label, batch.place, batch.printed) == ("Market stall", "Leeds", 1500)
    page = admin.get(f"/staff/campaigns/{campaign.slug}").text
    assert "Leaflet batch “Market stall” created" in html.unescape(page)
    [link] = re.findall(r'href="([^"]*/leaflets/\d+/print\?key=[^"]+)"', page)
    assert admin.get(html.unescape(link)).status_code == 200  # the signed print sheet opens
    rows = admin.get(f"/staff/campaigns/{campaign.slug}/report.csv?table=leaflets").text
    api = admin.get(f"/api/v1/campaigns/{campaign.slug}/leaflets", headers=auth).json["leaflets"]
    assert rows.splitlines() == [
        "id,label,place,printed,visits,scans,unique_scans,pledges,attributed_minor,"
        "per_100_printed_minor",
        ",".join(
            "" if api[0][c] is None else str(api[0][c])
            for c in ("id", "label", "place", "printed", "visits", "scans", "unique_scans")
            + ("pledges", "attributed_minor", "per_100_printed_minor")
        ),
    ]


def test_a_bad_leaflet_form_is_told_beside_its_fields_and_stores_nothing(app, admin, make_campaign):
    campaign = make_campaign()
    response = post_leaflets(admin, campaign, label="  ", printed="lots", promoter="x" * 40)
    assert response.status_code == 422
    assert errors_in(response.text) == {
        "label": "Label is required (120 characters at most, printable).",
        "printed": "Copies printed must be a whole number from 1 to 10,000,000.",
        "promoter": "Promoter code must be 1 to 32 characters.",
    }
    assert 'value="lots"' in response.text  # what was typed stays
    unknown = post_leaflets(admin, campaign, label="Stall", printed="10", promoter="nobody")
    assert unknown.status_code == 422
    assert errors_in(unknown.text) == {"promoter": "No promoter has this code."}
    assert batches(app) == []


def test_an_ended_campaign_takes_no_leaflets(app, admin, make_campaign):
    campaign = make_campaign(status="ended")
    response = post_leaflets(admin, campaign, label="Stall", printed="10")
    assert response.status_code == 422
    assert errors_in(response.text) == {
        "label": "This campaign has ended: it takes no new leaflets."
    }
    assert batches(app) == []


def test_viewers_cannot_make_leaflets_nor_keys_beyond_read(app, client, sign_in, make_campaign):
    campaign = make_campaign()
    sign_in("viewer")
    token = csrf_from(client.get("/staff/").text)
    made = client.post(
        f"/staff/campaigns/{campaign.slug}/leaflets",
        data={"csrf_token": token, "label": "Stall", "printed": "10"},
    )
    assert made.status_code == 403
    page = client.get("/staff/api-keys/").text
    assert '<option value="read">' in page and '<option value="money">' not in page
    for scopes in (["money"], ["read", "write"], ["admin"]):
        broader = client.post(
            "/staff/api-keys/", data={"csrf_token": token, "name": "x", "scopes": scopes}
        )
        assert broader.status_code == 403
        assert "beyond your own" in errors_in(broader.text)["scopes"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiKey.id))) == 0
    reading = client.post(
        "/staff/api-keys/", data={"csrf_token": token, "name": "x", "scopes": ["read"]}
    )
    assert reading.status_code == 201
    [key] = re.findall(r'id="new-key"[^>]*value="(st_[0-9a-f]{8}_[^"]+)"', reading.text)
    bearer = {"Authorization": f"Bearer {key}"}
    assert (
        client.get(f"/api/v1/campaigns/{campaign.slug}/report", headers=bearer).status_code == 200
    )
    assert client.get("/api/v1/api-keys", headers=bearer).status_code == 403
    revoke = client.post(f"/staff/api-keys/{key.split('_')[1]}/revoke", data={"csrf_token": token})
    assert revoke.status_code == 403  # only admins revoke
    assert batches(app) == []


def test_a_key_with_an_unknown_scope_or_campaign_is_refused_beside_the_field(app, admin):
    token = csrf_from(admin.get("/staff/api-keys/").text)
    for data, field in [
        ({"scopes": ["read", "sudo"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["read"], "campaigns": ["no-such-campaign"]}, "campaigns"),
    ]:
        response = admin.post("/staff/api-keys/", data={"csrf_token": token, "name": "x", **data})
        assert response.status_code == 422
        assert set(errors_in(response.text)) == {field}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiKey.id))) == 0


def test_a_form_without_its_csrf_token_is_refused(app, admin, make_campaign):
    campaign = make_campaign()
    assert admin.post("/staff/api-keys/", data={"name": "x"}).status_code == 400
    posted = admin.post(
        f"/staff/campaigns/{campaign.slug}/leaflets", data={"label": "Stall", "printed": "10"}
    )
    assert posted.status_code == 400
    assert batches(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiKey.id))) == 0


def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(app, admin):
    token = csrf_from(admin.get("/staff/api-keys/").text)
    made = admin.post(
        "/staff/api-keys/",
        data={"csrf_token": token, "name": "Newsletter", "scopes": ["read", "admin"]},
    )
    assert made.status_code == 201
    [key] = re.findall(r'id="new-key"[^>]*value="(st_[0-9a-f]{8}_[^"]+)"', made.text)
    bearer = {"Authorization": f"Bearer {key}"}
    assert admin.get("/api/v1/api-keys", headers=bearer).status_code == 200
    listed = admin.get("/staff/api-keys/").text
    assert key not in listed  # shown once, never again
    prefix = key.split("_")[1]
    assert f"st_{prefix}" in listed and "Newsletter" in listed and "read admin" in listed

    revoked = admin.post(f"/staff/api-keys/{prefix}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert admin.get("/api/v1/api-keys", headers=bearer).status_code == 401
    page = admin.get("/staff/api-keys/").text
    assert f"Key st_{prefix} is revoked." in page
    assert "revoked " in page
    again = admin.post(f"/staff/api-keys/{prefix}/revoke", data={"csrf_token": token})
    assert "There is no live key with that prefix." in admin.get(again.headers["Location"]).text


def test_a_key_needs_a_printable_name(app, admin):
    token = csrf_from(admin.get("/staff/api-keys/").text)
    for name, message in [
        ("", "Name is required."),
        ("x" * 81, "Name must be at most 80 characters."),
    ]:
        response = admin.post("/staff/api-keys/", data={"csrf_token": token, "name": name})
        assert response.status_code == 422
        assert errors_in(response.text) == {"name": message}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ApiKey.id))) == 0
