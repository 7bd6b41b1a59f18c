"""The API's staff authentication: a live bearer key holding the route's scope.

Each route names its scope once, in its `operation(..., scope=...)` (api/openapi.py), which
wraps the view in `require_scope`: 401 without a live key, 403 naming the scope it lacks, and
404 for a campaign outside a campaign-limited key's list (the same answer as a campaign that
does not exist, so a limited key cannot learn which other campaigns there are).
"""

from __future__ import annotations

from functools import wraps

from flask import g, request

from ..auth.api_keys import reaches, record_use, verify
from ..campaigns.service import CampaignNotFound
from ..errors import Problem
from ..extensions import db


def require_scope(scope: str):
    """Decorator: the view runs only for a live Bearer key holding `scope`."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            scheme, _, key = request.headers.get("Authorization", "").partition(" ")
            row = verify(db.session, key.strip()) if scheme.lower() == "bearer" else None
            if row is None:
                raise Problem(
                    401,
                    "Unauthorized",
                    "Send a staff API key as 'Authorization: Bearer <key>'.",
                    headers={"WWW-Authenticate": 'Bearer realm="sharetrack"'},
                )
            if record_use(row):
                db.session.commit()  # its own transaction, before the view's
            if scope not in row.scope_set:
                raise Problem(
                    403,
                    "Forbidden",
                    f"This API key lacks the scope {scope!r}, which this operation needs.",
                    slug="missing-scope",
                )
            slug = kwargs.get("slug")
            if slug is not None and not reaches(db.session, row, slug):
                raise CampaignNotFound(slug)
            g.api_key = row
            return view(*args, **kwargs)

        return wrapper

    return decorate
