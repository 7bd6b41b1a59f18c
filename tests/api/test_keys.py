"""Staff API keys: listed by name and prefix (never the key or its hash), revoked by prefix."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharetrack.auth import api_keys
from sharetrack.extensions import db
from sharetrack.models import ApiKey
from tests.conftest import BOTH_ENGINES


@pytest.fixture
def second_key(app) -> tuple[str, str]:
    """Another live key: (prefix as listed, the key)."""
    with app.app_context():
        row, key = api_keys.create(db.session, "press office")
        db.session.commit()
        return f"st_{row.prefix}", key


def stored_hashes(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ApiKey.key_hash)))


@BOTH_ENGINES
def test_keys_are_listed_by_name_and_prefix(app, client, auth, api_key, second_key, engine_name):
    response = client.get("/api/v1/api-keys", headers=auth)
    assert response.status_code == 200
    listed = response.json["api_keys"]
    assert [(k["name"], k["prefix"]) for k in listed] == [
        ("tests", api_key[:11]),
        ("press office", second_key[0]),
    ]
    assert all(k["revoked_at"] is None and k["created_at"].endswith("Z") for k in listed)
    text = response.get_data(as_text=True)
    for secret in [api_key, second_key[1], *stored_hashes(app)]:
        assert secret not in text
    assert set(listed[0]) == {
        "name", "prefix", "created_at", "last_used_at", "revoked_at", "scopes", "campaigns"
    }  # fmt: skip
    assert listed[0]["scopes"] == ["read", "write", "money", "admin"]
    assert listed[0]["campaigns"] is None


@BOTH_ENGINES
def test_a_key_notes_when_it_was_last_used_to_the_hour(app, client, auth, second_key, engine_name):
    listed = client.get("/api/v1/api-keys", headers=auth).json["api_keys"]
    used = {k["prefix"]: k["last_used_at"] for k in listed}
    assert used[second_key[0]] is None  # never presented
    first = next(v for p, v in used.items() if p != second_key[0])
    assert first.endswith("Z")  # the key that asked was noted, as it asked
    with app.app_context():
        rows = db.session.scalars(sa.select(ApiKey).where(ApiKey.last_used_at.is_not(None)))
        (row,) = rows.all()
        noted = row.last_used_at
        assert not api_keys.record_use(row, noted + api_keys.USE_RESOLUTION / 2)
        assert api_keys.record_use(row, noted + api_keys.USE_RESOLUTION)
    client.get("/api/v1/api-keys", headers=auth)  # within the hour: not written again
    with app.app_context():
        assert db.session.get(ApiKey, row.id).last_used_at == noted


@BOTH_ENGINES
def test_a_revoked_key_stops_working_and_stays_listed(client, auth, second_key, engine_name):
    prefix, key = second_key
    theirs = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/campaigns", headers=theirs).status_code == 200
    assert client.delete(f"/api/v1/api-keys/{prefix}", headers=auth).status_code == 204
    assert client.get("/api/v1/campaigns", headers=theirs).status_code == 401
    again = client.delete(f"/api/v1/api-keys/{prefix}", headers=auth)
    assert again.status_code == 404 and again.json["type"].endswith("/unknown-api-key")
    listed = {k["prefix"]: k for k in client.get("/api/v1/api-keys", headers=auth).json["api_keys"]}
    assert listed[prefix]["revoked_at"].endswith("Z")


@pytest.mark.parametrize("prefix", ["deadbeef", "st_zzzzzzzz", "%00", "x" * 200])
def test_revoking_an_unknown_prefix_is_404(client, auth, prefix):
    response = client.delete(f"/api/v1/api-keys/{prefix}", headers=auth)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_listing_and_revoking_need_a_key(client, second_key):
    assert client.get("/api/v1/api-keys").status_code == 401
    assert client.delete(f"/api/v1/api-keys/{second_key[0]}").status_code == 401


def test_a_key_can_revoke_itself(client, api_key, auth):
    assert client.delete(f"/api/v1/api-keys/{api_key[:11]}", headers=auth).status_code == 204
    assert client.get("/api/v1/api-keys", headers=auth).status_code == 401


def test_cli_lists_keys_without_secrets(app, runner, api_key, second_key):
    result = runner.invoke(args=["list-api-keys"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(api_key[:11]) and lines[0].endswith("tests")
    assert lines[1].startswith(second_key[0]) and "live" in lines[1]
    for secret in [api_key, second_key[1], *stored_hashes(app)]:
        assert secret not in result.output


def test_cli_revokes_by_prefix(client, runner, second_key):
    prefix, key = second_key
    result = runner.invoke(args=["revoke-api-key", prefix])
    assert result.exit_code == 0 and f"revoked {prefix}" in result.output
    assert (
        client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {key}"}).status_code
        == 401
    )
    (line,) = runner.invoke(args=["list-api-keys"]).output.splitlines()
    assert line.startswith(prefix) and "revoked 20" in line


def test_cli_revoking_an_unknown_prefix_fails(runner):
    result = runner.invoke(args=["revoke-api-key", "st_00000000"])
    assert result.exit_code == 1
    assert "no live API key 'st_00000000'" in result.output


def test_cli_says_when_there_are_no_keys(runner):
    result = runner.invoke(args=["list-api-keys"])
    assert result.exit_code == 0
    assert "create-api-key" in result.output
