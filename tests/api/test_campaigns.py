"""Staff API: campaigns, with Bearer keys and problem details."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharetrack.extensions import db
from sharetrack.models import Campaign
from tests.conftest import BOTH_ENGINES

VALID = {
    "slug": "snoopers",
    "title": "Stop the Snoopers",
    "landing_url": "https://case.example/pledge",
}


def count_campaigns(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Campaign))


def assert_problem(response, status):
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert body["title"] and body["type"] and body["detail"]
    assert isinstance(body["errors"], list)
    return body


@BOTH_ENGINES
def test_create_read_list_patch(client, auth, engine_name):
    created = client.post("/api/v1/campaigns", headers=auth, json=VALID | {"target_minor": 500})
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/campaigns/snoopers")
    assert created.json["starts_at"] == created.json["created_at"]  # starts when created
    assert created.json | {"created_at": None, "starts_at": None} == {
        "slug": "snoopers",
        "title": "Stop the Snoopers",
        "landing_url": "https://case.example/pledge",
        "currency": "GBP",
        "target_minor": 500,
        "window_days": 30,
        "status": "active",
        "attribution_model": "last_click",
        "pledge_page": False,
        "summary": None,
        "payment_instructions": None,
        "max_pledge_minor": 1_000_000,
        "organiser_name": None,
        "organiser_url": None,
        "accent_color": None,
        "created_at": None,
        "starts_at": None,
        "ends_at": None,
    }
    assert client.get("/api/v1/campaigns/snoopers", headers=auth).json["title"] == VALID["title"]
    listed = client.get("/api/v1/campaigns", headers=auth).json["campaigns"]
    assert [c["slug"] for c in listed] == ["snoopers"]
    patched = client.patch(
        "/api/v1/campaigns/snoopers",
        headers=auth,
        json={
            "window_days": 14,
            "status": "paused",
            "currency": "EUR",
            "max_pledge_minor": 5000,
            "payment_instructions": "  Bank transfer to 12-34-56 12345678.\n\nQuote SNOOP.  ",
        },
    )
    assert patched.status_code == 200
    assert (patched.json["window_days"], patched.json["status"], patched.json["currency"]) == (
        14,
        "paused",
        "EUR",
    )
    assert patched.json["max_pledge_minor"] == 5000
    # Plain text, trimmed, its paragraphs kept: what the thank-you page shows without Stripe.
    assert patched.json["payment_instructions"] == (
        "Bank transfer to 12-34-56 12345678.\n\nQuote SNOOP."
    )
    refused = client.patch(
        "/api/v1/campaigns/snoopers", headers=auth, json={"payment_instructions": "a\x00b"}
    )
    assert_problem(refused, 422)
    assert [e["field"] for e in refused.json["errors"]] == ["payment_instructions"]


@pytest.mark.parametrize("value", [0, -1, 10**10 + 1, "100", 1.5])
def test_the_largest_pledge_must_be_a_positive_whole_amount(client, auth, value):
    response = client.post(
        "/api/v1/campaigns", headers=auth, json=VALID | {"max_pledge_minor": value}
    )
    assert_problem(response, 422)
    assert [e["field"] for e in response.json["errors"]] == ["max_pledge_minor"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer st_nope_nope"}, {"Authorization": "Basic x"}]
)
def test_staff_routes_need_a_live_key(client, headers):
    response = client.get("/api/v1/campaigns", headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_refused(app, client, auth, api_key):
    from sharetrack.auth import api_keys

    with app.app_context():
        api_keys.revoke(db.session, api_key.split("_")[1])
        db.session.commit()
    assert_problem(client.get("/api/v1/campaigns", headers=auth), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"landing_url": "javascript:alert(1)"}, "landing_url"),
        ({"landing_url": "ftp://case.example/"}, "landing_url"),
        ({"landing_url": "https:///nohost"}, "landing_url"),
        ({"landing_url": "https://case.example/" + "a" * 2000}, "landing_url"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "-dash"}, "slug"),
        ({"slug": "a" * 65}, "slug"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "null\x00byte"}, "title"),
        ({"currency": "XXY"}, "currency"),
        ({"currency": "gbp"}, "currency"),
        ({"target_minor": -1}, "target_minor"),
        ({"target_minor": 10.5}, "target_minor"),
        ({"target_minor": "100"}, "target_minor"),
        ({"target_minor": True}, "target_minor"),
        ({"window_days": 0}, "window_days"),
        ({"window_days": 366}, "window_days"),
        ({"status": "deleted"}, "status"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(app, client, auth, change, field):
    body = assert_problem(client.post("/api/v1/campaigns", headers=auth, json=VALID | change), 422)
    assert field in [e["field"] for e in body["errors"]]
    assert count_campaigns(app) == 0


def test_missing_fields_are_listed(client, auth):
    body = assert_problem(client.post("/api/v1/campaigns", headers=auth, json={}), 422)
    assert {e["field"] for e in body["errors"]} == {"slug", "title", "landing_url"}


def test_duplicate_slug_is_422(app, client, auth):
    assert client.post("/api/v1/campaigns", headers=auth, json=VALID).status_code == 201
    body = assert_problem(client.post("/api/v1/campaigns", headers=auth, json=VALID), 422)
    assert body["errors"][0]["field"] == "slug"
    assert count_campaigns(app) == 1


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 422),
        ('"text"', "application/json", 422),
        ("slug=x", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies(app, client, auth, data, content_type, status):
    response = client.post("/api/v1/campaigns", headers=auth, data=data, content_type=content_type)
    assert_problem(response, status)
    assert count_campaigns(app) == 0


def test_body_over_64_kib_is_refused(app, client, auth):
    big = VALID | {"title": "x" * (65 * 1024)}
    assert_problem(client.post("/api/v1/campaigns", headers=auth, json=big), 413)
    assert count_campaigns(app) == 0


def test_unknown_campaign_is_404_naming_it(client, auth):
    body = assert_problem(client.get("/api/v1/campaigns/nope", headers=auth), 404)
    assert "nope" in body["detail"]
    assert_problem(client.patch("/api/v1/campaigns/nope", headers=auth, json={}), 404)


def test_patch_rejects_bad_values_and_keeps_the_old_ones(client, auth):
    client.post("/api/v1/campaigns", headers=auth, json=VALID)
    body = assert_problem(
        client.patch(
            "/api/v1/campaigns/snoopers",
            headers=auth,
            json={"title": "New", "landing_url": "data:text/html,hi"},
        ),
        422,
    )
    assert body["errors"][0]["field"] == "landing_url"
    assert client.get("/api/v1/campaigns/snoopers", headers=auth).json["title"] == VALID["title"]
    assert_problem(
        client.patch("/api/v1/campaigns/snoopers", headers=auth, json={"slug": "b"}), 422
    )


def test_unknown_api_route_and_method_are_problems(client, auth):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    response = client.delete("/api/v1/campaigns", headers=auth)
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]
