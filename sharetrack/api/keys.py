"""Staff API: list and revoke staff API keys (create them with the CLI)."""

from __future__ import annotations

import re

from flask import g

from ..auth import api_keys
from ..auth.schemas import ApiKeyCreate
from ..errors import Problem, invalid
from ..extensions import db
from . import bp
from .body import parse
from .openapi import Reply, json_response, operation
from .responses import ApiKeyCreated, ApiKeyInfo, ApiKeyList

PREFIX_RE = re.compile(r"(?:st_)?[0-9a-f]{8}")


@bp.get("/api-keys")
@operation(
    "Every staff API key, live and revoked, by name and prefix",
    responses={200: Reply("The keys (never the keys themselves)", ApiKeyList)},
    scope="admin",
    tags=("api-keys",),
)
def list_api_keys():
    """Every key by name and prefix."""
    return ApiKeyList.from_keys(api_keys.listing(db.session))


@bp.post("/api-keys")
@operation(
    "Create a staff API key, no broader than the asking key (its scopes and campaigns)",
    body=ApiKeyCreate,
    responses={201: Reply("The new key, shown this once", ApiKeyCreated)},
    scope="admin",
    tags=("api-keys",),
)
def create_api_key():
    """A new key; it may hold no scope and reach no campaign the asking key does not."""
    body = parse(ApiKeyCreate)
    mine = g.api_key
    reach = api_keys.campaign_ids(db.session, mine)
    try:
        api_keys.checked_scopes(body.scopes, mine.scope_set)
        if body.campaigns is None and reach is not None:
            raise api_keys.ScopeError(
                "campaigns", "name its campaigns: your key reaches only some", status=403
            )
        ids = (
            None
            if body.campaigns is None
            else api_keys.campaigns_named(db.session, body.campaigns, reach)
        )
        row, key = api_keys.create(db.session, body.name, body.scopes, ids, allowed=mine.scope_set)
    except api_keys.ScopeError as exc:
        if exc.status == 403:
            raise Problem(403, "Forbidden", exc.message, slug="scope-beyond-yours") from None
        raise invalid([{"field": exc.field, "message": exc.message}]) from None
    info = ApiKeyInfo.from_key(row, api_keys.campaign_slugs(db.session, row))
    db.session.commit()
    return json_response(ApiKeyCreated(key=key, api_key=info), 201)


@bp.delete("/api-keys/<prefix>")
@operation(
    "Revoke a staff API key",
    responses={204: Reply("Revoked; it no longer authenticates")},
    scope="admin",
    errors=(404,),
    params={"prefix": {"type": "string", "description": "As listed: 'st_' and 8 hex digits"}},
    tags=("api-keys",),
)
def revoke_api_key(prefix: str):
    """Revoke the key with this prefix (which may be the caller's own)."""
    if not (PREFIX_RE.fullmatch(prefix) and api_keys.revoke(db.session, prefix)):
        raise Problem(
            404, "Not Found", f"There is no live API key {prefix!r}.", slug="unknown-api-key"
        )
    db.session.commit()
    return "", 204
