"""The redirect's Flask routes: GET /s/<token> (and its uppercase form from QR codes).

Most clicks are answered before Flask by links/middleware.py with the same function
(links/redirect.py); these views answer the rest, and every error goes through Flask's
handlers as for any page (a database outage is a 503 page, a forged link the 404 page).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from ...links import paths, redirect
from ...links.middleware import ERROR_KEY

bp = Blueprint("links", __name__)


def follow(token: str):
    """Send the visitor to the campaign, counting the visit without keeping who made it."""
    return _follow(token, scan=False)


def follow_scan(token: str):
    """The redirect for a visit through a QR code: counted with the scan flag."""
    return _follow(token, scan=True)


# The rules are links/paths.py's, which the middleware in front of Flask matches too.
for _rule, _scan in paths.RULES:
    bp.add_url_rule(_rule, paths.endpoint(_scan), follow_scan if _scan else follow, methods=["GET"])


def _follow(token: str, *, scan: bool):
    stopped = request.environ.pop(ERROR_KEY, None)
    if stopped is not None:  # the middleware met a database outage: answer it, don't retry
        raise stopped
    answer = redirect.answer(current_app._get_current_object(), request, token, scan=scan)
    if answer is None:
        abort(404)
    return answer.response()
