"""A NUL in any string a client sends is a 4xx on both engines (PostgreSQL refuses NUL: a 500)."""

from __future__ import annotations

import pytest

from tests.conftest import BOTH_ENGINES


@BOTH_ENGINES
@pytest.mark.parametrize("slug", ["%00", "a%00b", "x" * 65, "UPPER", "%C3%BF"])
def test_a_path_that_cannot_be_a_slug_is_404(client, auth, slug, engine_name):
    response = client.get(f"/api/v1/campaigns/{slug}", headers=auth)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@BOTH_ENGINES
@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"campaign": "case-1\x00"}, 422),  # refused with the body (inputs.py), field named
        ({"channel": "x\x00"}, 422),
        ({"promoter": "\x00"}, 422),
        ({"parent": "1.\x00"}, 422),
    ],
)
def test_a_nul_in_a_share_request_is_a_client_error(
    client, make_campaign, fields, status, engine_name
):
    campaign = make_campaign()
    body = {"campaign": campaign.slug, "channel": "x"} | fields
    response = client.post("/api/v1/shares", json=body)
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    if status == 422:
        assert [e["field"] for e in response.json["errors"]] == list(fields)
