"""The API's staff authentication: a live bearer key, or 401 problem details."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from ..auth.api_keys import record_use, verify
from ..errors import Problem
from ..extensions import db


def require_api_key(view):
    """Decorator: 401 problem details unless a live Bearer key is presented."""

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
        g.api_key = row
        return view(*args, **kwargs)

    return wrapper
