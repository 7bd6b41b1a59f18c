"""Staff API: list and revoke staff API keys (create them with the CLI)."""

from __future__ import annotations

import re

from ..auth import api_keys
from ..errors import Problem
from ..extensions import db
from . import bp
from .auth import require_api_key
from .openapi import Reply, operation
from .responses import ApiKeyList

PREFIX_RE = re.compile(r"(?:st_)?[0-9a-f]{8}")


@bp.get("/api-keys")
@operation(
    "Every staff API key, live and revoked, by name and prefix",
    responses={200: Reply("The keys (never the keys themselves)", ApiKeyList)},
    auth=True,
    tags=("api-keys",),
)
@require_api_key
def list_api_keys():
    """Every key by name and prefix."""
    return ApiKeyList.from_keys(api_keys.all_keys(db.session))


@bp.delete("/api-keys/<prefix>")
@operation(
    "Revoke a staff API key",
    responses={204: Reply("Revoked; it no longer authenticates")},
    auth=True,
    errors=(404,),
    params={"prefix": {"type": "string", "description": "As listed: 'st_' and 8 hex digits"}},
    tags=("api-keys",),
)
@require_api_key
def revoke_api_key(prefix: str):
    """Revoke the key with this prefix (which may be the caller's own)."""
    if not (PREFIX_RE.fullmatch(prefix) and api_keys.revoke(db.session, prefix)):
        raise Problem(
            404, "Not Found", f"There is no live API key {prefix!r}.", slug="unknown-api-key"
        )
    db.session.commit()
    return "", 204
