"""Scoped API keys: every route names its scope; a key lacking it gets 403 naming it, a key
holding it gets in; a campaign-limited key reaches its campaigns only (issue 24)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from sharetrack.api import openapi
from sharetrack.auth import api_keys
from sharetrack.extensions import db
from sharetrack.models import API_SCOPES, ApiKey
from tests.conftest import BOTH_ENGINES

# Routes under /api/v1 anyone may call: public by design, each for its own reason.
PUBLIC = {
    "api.openapi_json",  # the contract
    "api.share_value",  # a public estimate, cached by CDNs
    "api.create_share",  # a promoter's own link
    "api.receive_pledge",  # signed by the platform (HMAC), not by a key
    "api.receive_stripe",  # signed by Stripe
    "api.recover",  # a promoter's way back, by mail
    "api.set_notes",  # a promoter's own notes, by the private key of their page
}


@pytest.fixture
def key_with(app):
    """Factory: the Authorization header of a new key holding `scopes` (limited to the
    campaigns with `slugs`, if given)."""

    def make(*scopes: str, slugs: list[str] | None = None) -> dict:
        with app.app_context():
            ids = None if slugs is None else api_keys.campaigns_named(db.session, slugs, None)
            _, key = api_keys.create(db.session, "scoped", scopes, ids)
            db.session.commit()
        return {"Authorization": f"Bearer {key}"}

    return make


# What each path parameter is filled with: the `case` campaign, an id, a prefix.
ARGUMENTS = {"slug": "case", "prefix": "deadbeef"}


def scoped_routes(app) -> list[tuple[str, str, str, str]]:
    """(method, path filled in, OpenAPI path, scope) of every route that needs a key."""
    out = []
    for rule in app.url_map.iter_rules():
        op = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if op is None or op.scope is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ARGUMENTS.get(m[1], "1"), rule.rule)
        documented = openapi.openapi_path(rule.rule)[0]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, path, documented, op.scope))
    return sorted(out)


def test_every_api_route_declares_a_scope_or_is_public_on_purpose(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        op = getattr(app.view_functions[rule.endpoint], "openapi", None)
        assert op is not None, f"{rule.rule} declares no operation"
        assert (op.scope is None) == (rule.endpoint in PUBLIC), rule.endpoint
        assert op.scope is None or op.scope in API_SCOPES


def test_the_contract_names_each_operations_scope(app, client):
    document = client.get("/api/v1/openapi.json").json
    for method, path, documented, scope in scoped_routes(app):
        spec = document["paths"][documented][method.lower()]
        assert spec["security"] == [{"staffKey": [scope]}], (method, path)
        assert "403" in spec["responses"]


@BOTH_ENGINES
def test_each_scope_is_refused_without_it_and_allowed_with_it(
    app, client, key_with, make_campaign_once, engine_name
):
    routes = scoped_routes(app)
    assert {scope for *_, scope in routes} == set(API_SCOPES)
    holding = {scope: key_with(scope) for scope in API_SCOPES}
    lacking = {scope: key_with(*(s for s in API_SCOPES if s != scope)) for scope in API_SCOPES}
    for method, path, _, scope in routes:
        refused = client.open(path, method=method, headers=lacking[scope], json={})
        assert refused.status_code == 403, (method, path)
        assert refused.mimetype == "application/problem+json"
        assert refused.json["type"].endswith("/missing-scope")
        assert f"'{scope}'" in refused.json["detail"]
        allowed = client.open(path, method=method, headers=holding[scope], json={})
        assert allowed.status_code not in (401, 403), (method, path, allowed.json)
        assert allowed.status_code < 500


@BOTH_ENGINES
def test_a_read_key_cannot_void_a_pledge_and_nothing_changes(
    app, client, key_with, make_campaign, engine_name
):
    campaign = make_campaign()
    reader = key_with("read")
    voided = client.patch(
        f"/api/v1/campaigns/{campaign.slug}/pledges/1",
        headers=reader,
        json={"status": "cancelled"},
    )
    assert voided.status_code == 403 and "'money'" in voided.json["detail"]
    assert (
        client.get(f"/api/v1/campaigns/{campaign.slug}/report", headers=reader).status_code == 200
    )


@BOTH_ENGINES
def test_a_campaign_limited_key_reaches_only_its_campaigns(
    client, key_with, make_campaign, engine_name
):
    mine, other = make_campaign(), make_campaign()
    limited = key_with("read", "write", slugs=[mine.slug])
    listed = client.get("/api/v1/campaigns", headers=limited).json["campaigns"]
    assert [c["slug"] for c in listed] == [mine.slug]
    assert client.get(f"/api/v1/campaigns/{mine.slug}/report", headers=limited).status_code == 200
    outside = client.get(f"/api/v1/campaigns/{other.slug}/report", headers=limited)
    unknown = client.get("/api/v1/campaigns/no-such-campaign/report", headers=limited)
    # Outside its list is answered as if the campaign did not exist: the key learns nothing.
    assert outside.status_code == unknown.status_code == 404
    assert outside.json["type"] == unknown.json["type"]
    changed = client.patch(f"/api/v1/campaigns/{other.slug}", headers=limited, json={"title": "x"})
    assert changed.status_code == 404
    created = client.post(
        "/api/v1/campaigns",
        headers=limited,
        json={"slug": "new-one", "title": "N", "landing_url": "https://x.example/"},
    )
    assert created.status_code == 403 and created.json["type"].endswith("/campaign-limited-key")


def count_keys(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(ApiKey.id)))


@BOTH_ENGINES
def test_a_key_makes_keys_no_broader_than_itself(app, client, key_with, make_campaign, engine_name):
    mine, other = make_campaign(), make_campaign()
    admin_reader = key_with("read", "admin", slugs=[mine.slug])
    before = count_keys(app)
    for body, status, field in [
        ({"name": "x", "scopes": ["read", "sudo"]}, 422, "scopes"),
        ({"name": "x", "scopes": []}, 422, "scopes"),
        ({"name": "x", "scopes": ["read", "money"]}, 403, None),
        ({"name": "x", "scopes": ["read"]}, 403, None),  # unlimited, from a limited key
        ({"name": "x", "scopes": ["read"], "campaigns": [other.slug]}, 422, "campaigns"),
        ({"name": "x", "scopes": ["read"], "campaigns": ["nope"]}, 422, "campaigns"),
    ]:
        response = client.post("/api/v1/api-keys", headers=admin_reader, json=body)
        assert response.status_code == status, body
        assert response.mimetype == "application/problem+json"
        if field:
            assert [e["field"] for e in response.json["errors"]] == [field]
    assert count_keys(app) == before
    made = client.post(
        "/api/v1/api-keys",
        headers=admin_reader,
        json={"name": "report puller", "scopes": ["read"], "campaigns": [mine.slug]},
    )
    assert made.status_code == 201
    assert made.json["api_key"]["scopes"] == ["read"]
    assert made.json["api_key"]["campaigns"] == [mine.slug]
    new = {"Authorization": f"Bearer {made.json['key']}"}
    assert client.get(f"/api/v1/campaigns/{mine.slug}/report", headers=new).status_code == 200
    assert client.get("/api/v1/api-keys", headers=new).status_code == 403


def test_the_cli_makes_a_scoped_key_and_refuses_an_unknown_scope(app, runner):
    made = runner.invoke(args=["create-api-key", "exports", "--scope", "read"])
    assert made.exit_code == 0
    with app.app_context():
        row = api_keys.verify(db.session, made.output.strip())
        assert row is not None and row.scope_set == {"read"}
    bad = runner.invoke(args=["create-api-key", "exports", "--scope", "root"])
    assert bad.exit_code == 2 and "unknown scope" in bad.output
