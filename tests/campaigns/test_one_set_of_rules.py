"""The form and the API refuse the same things: the form validates with the API's schemas."""

from __future__ import annotations

import pytest

from tests.staff_fixtures import csrf_from, errors_in

API = {
    "slug": "snoopers",
    "title": "Stop the Snoopers",
    "landing_url": "https://case.example/pledge",
    "currency": "GBP",
    "target_minor": 1_000_000,
    "window_days": 30,
    "status": "active",
}
FORM = API | {"target": "10,000", "window_days": "30"}
del FORM["target_minor"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("slug", "-leading-hyphen"),
        ("slug", "x" * 65),
        ("title", "   "),
        ("title", "bell\x07"),
        ("title", "x" * 201),
        ("landing_url", "ftp://case.example/"),
        ("landing_url", "https://"),
        ("landing_url", "https://case.example:99999/"),
        ("landing_url", "https://case.example/a b"),
        ("currency", "gbp"),
        ("currency", "ABC"),
        ("window_days", 0),
        ("window_days", 366),
        ("status", "archived"),
    ],
)
def test_form_and_api_refuse_the_same_values(client, admin, auth, field, value):
    api = client.post("/api/v1/campaigns", headers=auth, json=API | {field: value})
    assert api.status_code == 422
    assert [e["field"] for e in api.json["errors"]] == [field]

    token = csrf_from(admin.get("/staff/new").text)
    form = admin.post("/staff/new", data=FORM | {field: str(value), "csrf_token": token})
    assert form.status_code == 422
    assert list(errors_in(form.text)) == [field]


def test_the_upper_bound_of_a_target_is_the_apis(client, admin, auth):
    api = client.post("/api/v1/campaigns", headers=auth, json=API | {"target_minor": 10**12 + 1})
    assert api.status_code == 422
    token = csrf_from(admin.get("/staff/new").text)
    form = admin.post(
        "/staff/new", data=FORM | {"target": "10,000,000,000.01", "csrf_token": token}
    )
    assert errors_in(form.text) == {"target": "Target must be at most £10,000,000,000.00"}
    ok = admin.post("/staff/new", data=FORM | {"target": "10,000,000,000", "csrf_token": token})
    assert ok.status_code == 303
