"""One serialisation: every API answer is its documented response model, field for field."""

from __future__ import annotations

import datetime as dt
import inspect
import json

import pytest
from pydantic import BaseModel, ValidationError

from sharetrack.api import responses
from sharetrack.api.openapi import (
    ContractDrift,
    Operation,
    Reply,
    conform,
    document,
    json_response,
)
from tests.conftest import BOTH_ENGINES

MODELS = [
    m
    for _, m in inspect.getmembers(responses, inspect.isclass)
    if issubclass(m, BaseModel) and m.__module__.startswith(responses.__name__ + ".")
]
assert len(MODELS) > 20  # every area's module of responses was read
CAMPAIGN = Operation("One campaign", {200: Reply("The campaign", responses.Campaign)})
BODY = {
    "slug": "snoopers",
    "title": "Stop the Snoopers",
    "landing_url": "https://case.example/",
    "currency": "GBP",
    "target_minor": 0,
    "window_days": 30,
    "status": "active",
    "attribution_model": "last_click",
    "pledge_page": False,
    "summary": None,
    "payment_instructions": None,
    "max_pledge_minor": 1_000_000,
    "created_at": "2026-03-01T12:00:00Z",
    "starts_at": "2026-03-01T12:00:00Z",
    "ends_at": None,
    "organiser_name": None,
    "organiser_url": None,
    "accent_color": None,
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_documented_field_is_required_and_no_other_is_allowed(model):
    assert issubclass(model, responses.Documented) or model is responses.Documented
    assert model.model_config.get("extra") == "forbid"
    optional = [name for name, f in model.model_fields.items() if not f.is_required()]
    assert optional == [], f"{model.__name__} may leave out {optional}"


def test_an_answer_is_written_out_by_its_model(app):
    made = responses.Campaign.model_validate(BODY)
    with app.test_request_context("/api/v1/campaigns/snoopers"):
        answer = conform(CAMPAIGN, made)
    assert answer.status_code == 200 and answer.get_json() == BODY


def test_an_answer_not_built_by_its_model_fails(app):
    with app.test_request_context("/api/v1/campaigns/snoopers"):
        with pytest.raises(ContractDrift, match="a bare dict, not Campaign"):
            conform(CAMPAIGN, dict(BODY))  # a second shape, even one that fits
        with pytest.raises(ContractDrift, match="a bare dict, not Campaign"):
            conform(CAMPAIGN, app.response_class(json.dumps(BODY), mimetype="application/json"))
        other = responses.StripeReceived(received=True, stored=False, detail="x")
        with pytest.raises(ContractDrift, match="StripeReceived, not Campaign"):
            conform(CAMPAIGN, other)
        with pytest.raises(ContractDrift, match="answered 201 with Campaign"):
            conform(CAMPAIGN, json_response(responses.Campaign.model_validate(BODY), 201))


def test_a_model_takes_no_undocumented_field_and_needs_every_documented_one():
    with pytest.raises(ValidationError, match="extra_forbidden"):
        responses.Campaign.model_validate(BODY | {"secret": "x"})
    with pytest.raises(ValidationError, match="summary"):
        responses.Campaign.model_validate({k: v for k, v in BODY.items() if k != "summary"})


def test_every_time_in_an_answer_is_written_by_the_one_writer(client):
    naive = dt.datetime(2026, 3, 1, 12, 0, 0, 250000)
    made = responses.Campaign.model_validate(BODY | {"created_at": naive, "ends_at": naive})
    written = json.loads(made.model_dump_json())
    assert written["created_at"] == written["ends_at"] == "2026-03-01T12:00:00.250000Z"
    assert written["starts_at"] == "2026-03-01T12:00:00Z"
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    campaign = schemas["Campaign"]["properties"]
    assert campaign["created_at"]["type"] == "string"
    assert campaign["created_at"]["format"] == "date-time"


def test_every_json_answer_of_the_api_has_a_response_model(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "openapi", None)
        if not rule.rule.startswith("/api/") or declared is None:
            continue
        for status, reply in declared.responses.items():
            if reply.schema is None or rule.endpoint == "api.openapi_json":
                continue
            assert isinstance(reply.schema, type), f"{rule.rule} {status} has a bare schema"
            assert issubclass(reply.schema, responses.Documented), rule.rule


@BOTH_ENGINES
def test_a_campaign_answer_is_the_documented_campaign(app, client, auth, engine_name):
    made = client.post("/api/v1/campaigns", json=BODY, headers=auth)
    assert made.status_code == 422  # created_at is not the client's to send
    fields = {k: v for k, v in BODY.items() if k != "created_at"} | {"summary": "Why"}
    made = client.post("/api/v1/campaigns", json=fields, headers=auth)
    assert made.status_code == 201, made.json
    with app.app_context():
        documented = document(app)["components"]["schemas"]["Campaign"]
    assert set(made.json) == set(documented["properties"]) == set(documented["required"])
    assert documented["additionalProperties"] is False
    assert made.json["summary"] == "Why" and made.json["attribution_model"] == "last_click"
