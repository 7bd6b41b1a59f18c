"""No input gives a 500: deep JSON, NUL and control characters, dates out of range."""

from __future__ import annotations

import json

import pytest
from werkzeug.routing import IntegerConverter

from sharetrack import inputs
from sharetrack.inputs import IdConverter
from sharetrack.validation import MAX_ID
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import *  # noqa: F403  (shared page fixtures)
from tests.staff_fixtures import csrf_from, errors_in

DEEP = "[" * 30_000 + "]" * 30_000


def json_post_routes(app) -> list[str]:
    """Every API route that takes a JSON body, with placeholder path values."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and "POST" in (rule.methods or ()):
            out.append(rule.rule.replace("<slug>", "case-1").replace("<prefix>", "x"))
    return out


@pytest.mark.parametrize("text", [DEEP, "[" * 33 + "]" * 33, '{"a":' * 33 + "1" + "}" * 33])
def test_loads_refuses_deep_documents(text):
    with pytest.raises(inputs.InputError, match="32 levels"):
        inputs.loads(text)


def test_loads_takes_the_limit_itself():
    assert inputs.loads("[" * 32 + "]" * 32)
    assert inputs.loads('{"a":' * 32 + '"x"' + "}" * 32)


@BOTH_ENGINES
def test_every_json_endpoint_refuses_deep_and_nul_bodies_with_a_4xx(app, client, auth):
    routes = json_post_routes(app)
    assert "/api/v1/shares" in routes and "/api/v1/pledges" in routes
    nul = json.dumps({"campaign": "a\x00", "channel": "x", "slug": "a\x00b"})
    for route in routes:
        for body in (DEEP, nul):
            response = client.post(route, data=body, content_type="application/json", headers=auth)
            assert 400 <= response.status_code < 500, (route, response.status_code)
    response = client.post("/api/v1/shares", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json["detail"] == inputs.too_deep()


@BOTH_ENGINES
@pytest.mark.parametrize("summary", ["Court date\x00", "bell\x07", "escape\x1b[31m"])
def test_control_characters_in_a_summary_are_refused(client, auth, summary):
    body = {
        "slug": "ctrl",
        "title": "Control",
        "landing_url": "https://case.example/",
        "summary": summary,
    }
    response = client.post("/api/v1/campaigns", json=body, headers=auth)
    assert 400 <= response.status_code < 500


@BOTH_ENGINES
def test_a_summary_keeps_its_line_breaks_and_tabs(client, auth):
    body = {
        "slug": "lines",
        "title": "Lines",
        "landing_url": "https://case.example/",
        "summary": "First line.\r\nSecond\tline.",
    }
    response = client.post("/api/v1/campaigns", json=body, headers=auth)
    assert response.status_code == 201, response.json


@BOTH_ENGINES
@pytest.mark.parametrize(
    "query",
    [
        "to=9999-12-31",
        "from=0001-01-01",
        "from=2000-01-01&to=2099-12-31",
        "to=10000-01-01",
        "from=1999-12-31",
    ],
)
def test_report_dates_are_limited_to_a_sane_range(client, auth, admin, make_campaign, query):
    campaign = make_campaign()
    api = client.get(f"/api/v1/campaigns/{campaign.slug}/report?{query}", headers=auth)
    page = admin.get(f"/staff/campaigns/{campaign.slug}?{query}")
    csv = admin.get(f"/staff/campaigns/{campaign.slug}/report.csv?{query}&table=channels")
    in_range = query == "from=2000-01-01&to=2099-12-31"
    assert api.status_code == (200 if in_range else 422)
    assert page.status_code < 500 and csv.status_code < 500


@BOTH_ENGINES
@pytest.mark.parametrize(
    "path", ["/c/x%00y", "/staff/campaigns/a%00", "/api/v1/campaigns/%00/report"]
)
def test_nul_in_the_address_is_a_4xx(client, auth, path, make_campaign):
    assert client.get(path, headers=auth).status_code == 404
    slug = make_campaign(pledge_page=True).slug
    assert client.get(f"/c/{slug}?ref=a%00b").status_code == 200  # a bad ref is ignored
    assert client.get(f"/api/v1/campaigns/{slug}/report?model=%00", headers=auth).status_code == 422


@BOTH_ENGINES
def test_nul_in_a_form_is_told_beside_its_field(admin):
    token = csrf_from(admin.get("/staff/new").text)
    response = admin.post(
        "/staff/new",
        data={
            "csrf_token": token,
            "slug": "nul",
            "title": "Nul\x00",
            "landing_url": "https://case.example/",
            "currency": "GBP",
            "window_days": "30",
            "status": "active",
        },
    )
    assert response.status_code == 422
    assert "control characters" in errors_in(response.text)["title"]


@BOTH_ENGINES
def test_an_import_line_nested_too_deep_or_with_nul_is_a_line_error(runner, tmp_path):
    path = tmp_path / "bad.jsonl"
    share = {
        "type": "share",
        "key": "k\x00",
        "campaign": "c",
        "channel": "x",
        "created_at": "2026-01-01T00:00:00Z",
    }
    visitor = {"type": "click", "share": "k", "at": "2026-01-01T00:00:00Z", "visitor": "v\x01"}
    path.write_text(DEEP + "\n" + json.dumps(share) + "\n" + json.dumps(visitor) + "\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "line 1" in result.output and "32 levels" in result.output
    assert "line 2" in result.output and "NUL" in result.output
    assert "line 3" in result.output and "control characters" in result.output
    assert "3 of 3 lines are invalid" in result.output


def test_every_int_in_a_route_is_an_id_in_range(app):
    """One converter for every `<int:...>`: none can hand the database a number it refuses."""
    checked = 0
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, IdConverter), (rule.rule, name)
                assert 1 <= converter.min and converter.max <= MAX_ID, (rule.rule, name)
                checked += 1
    assert checked >= 3  # the pledge review (API and form) and the leaflet print sheet
