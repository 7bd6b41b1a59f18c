"""The OpenAPI document: every /api/ route in it, named as the routes name them."""

from __future__ import annotations

import pytest

from sharetrack.api import openapi
from sharetrack.api.responses import ApiKeyList, Campaign, CampaignList, ShareLink
from sharetrack.campaigns.schemas import CampaignCreate
from tests.conftest import BOTH_ENGINES


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def test_every_api_rule_is_in_the_document(app, document):
    api_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    assert len(api_rules) >= 6
    for rule in api_rules:
        path, _ = openapi.openapi_path(rule.rule)
        documented = document["paths"].get(path, {})
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in documented, f"{method} {rule.rule} is not in openapi.json"


def test_a_route_without_its_operation_is_missing_and_so_caught(app):
    app.add_url_rule("/api/v1/_undocumented", "undocumented", lambda: {})
    assert "/api/v1/_undocumented" not in openapi.document(app)["paths"]


def test_document_header_and_paths(document):
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) >= {
        "/api/v1/campaigns",
        "/api/v1/campaigns/{slug}",
        "/api/v1/shares",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{prefix}",
        "/api/v1/openapi.json",
    }
    get_campaign = document["paths"]["/api/v1/campaigns/{slug}"]["get"]
    assert get_campaign["operationId"] == "get_campaign"
    assert get_campaign["parameters"] == [
        {
            "name": "slug",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
        }
    ]


@pytest.mark.parametrize(
    ("rule", "path", "arguments"),
    [
        ("/api/v1/campaigns/<slug>/report", "/api/v1/campaigns/{slug}/report", [("slug", None)]),
        ("/api/v1/leaflets/<int:batch_id>", "/api/v1/leaflets/{batch_id}", [("batch_id", "int")]),
        ("/api/v1/x/<string(length=8):a>/<b>", "/api/v1/x/{a}/{b}", [("a", "string"), ("b", None)]),
    ],
)
def test_paths_are_named_as_the_routes_name_them(rule, path, arguments):
    assert openapi.openapi_path(rule) == (path, arguments)


def test_bodies_and_responses_come_from_the_pydantic_models(document):
    schemas = document["components"]["schemas"]
    create = document["paths"]["/api/v1/campaigns"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CampaignCreate"
    }
    assert schemas["CampaignCreate"] == CampaignCreate.model_json_schema(ref_template=openapi.REF)
    created = create["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/Campaign")
    assert created["headers"]["Location"]["required"] is True
    assert create["security"] == [{"staffKey": ["write"]}]
    assert create["x-scope"] == "write" and "`write`" in create["description"]
    assert document["components"]["securitySchemes"]["staffKey"]["scheme"] == "bearer"


def test_errors_follow_from_what_an_operation_declares(document):
    def statuses(path, method):
        return sorted(int(s) for s in document["paths"][path][method]["responses"])

    assert statuses("/api/v1/campaigns", "post") == [201, 400, 401, 403, 413, 415, 422, 503]
    assert statuses("/api/v1/campaigns/{slug}", "patch") == [
        200, 400, 401, 403, 404, 413, 415, 422, 503
    ]  # fmt: skip
    assert statuses("/api/v1/shares", "post") == [200, 201, 400, 404, 409, 413, 415, 422, 429, 503]
    assert statuses("/api/v1/api-keys/{prefix}", "delete") == [204, 401, 403, 404, 503]
    # Only the document itself needs no database.
    assert statuses("/api/v1/openapi.json", "get") == [200]
    unavailable = document["paths"]["/api/v1/campaigns"]["get"]["responses"]["503"]
    assert unavailable["headers"]["Retry-After"]["required"] is True
    too_many = document["paths"]["/api/v1/shares"]["post"]["responses"]["429"]
    assert too_many["content"]["application/problem+json"]["schema"]["$ref"].endswith(
        "/ProblemDetails"
    )
    assert too_many["headers"]["Retry-After"]["required"] is True
    problem = document["components"]["schemas"]["ProblemDetails"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "errors"}


@BOTH_ENGINES
def test_real_responses_fit_their_documented_models(client, auth, make_campaign, engine_name):
    campaign = make_campaign()
    Campaign.model_validate(client.get(f"/api/v1/campaigns/{campaign.slug}", headers=auth).json)
    CampaignList.model_validate(client.get("/api/v1/campaigns", headers=auth).json)
    ShareLink.model_validate(
        client.post("/api/v1/shares", json={"campaign": campaign.slug, "channel": "x"}).json
    )
    ApiKeyList.model_validate(client.get("/api/v1/api-keys", headers=auth).json)


def test_a_later_route_declares_query_header_and_other_media_types(app):
    """How the report, leaflet and webhook routes will describe themselves."""

    @openapi.operation(
        "A campaign's report",
        responses={
            200: openapi.Reply("The report as CSV", {"type": "string"}, media_type="text/csv")
        },
        parameters=(
            {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
        ),
        scope="read",
        errors=(404,),
    )
    def report(slug):
        return ""

    app.add_url_rule("/api/v1/campaigns/<slug>/report", "api.report", report)
    operation = openapi.document(app)["paths"]["/api/v1/campaigns/{slug}/report"]["get"]
    assert [(p["name"], p["in"]) for p in operation["parameters"]] == [
        ("slug", "path"),
        ("from", "query"),
    ]
    assert operation["responses"]["200"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
    assert sorted(operation["responses"]) == ["200", "401", "403", "404", "503"]


def test_the_document_says_the_code_is_no_proof_and_how_to_recover(document):
    schemas = document["components"]["schemas"]
    share = schemas["ShareCreate"]["properties"]
    assert share["promoter"]["deprecated"] is True
    assert "proves nothing" in share["promoter"]["description"]
    assert "already share this campaign" in share["promoter_key"]["description"]
    assert share["email"]["anyOf"][0]["maxLength"] == 254
    recover = document["paths"]["/api/v1/promoters/recover"]["post"]
    assert set(recover["responses"]) >= {"202", "422", "429", "503"}
    assert "mail-not-configured" in recover["responses"]["503"]["description"]
