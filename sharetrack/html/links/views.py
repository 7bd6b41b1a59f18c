"""The redirect's Flask routes: GET /s/<token> (and its uppercase form from QR codes).

Most clicks are answered before Flask by links/middleware.py with the same function
(links/redirect.py); these views answer the rest, and every error goes through Flask's
handlers as for any page (a database outage is a 503 page, a forged link the 404 page).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from ...links import redirect
from ...links.middleware import ERROR_KEY

bp = Blueprint("links", __name__)


@bp.get("/s/<token>")
@bp.get("/S/<token>")
def follow(token: str):
    """Send the visitor to the campaign, counting the visit without keeping who made it."""
    return _follow(token, scan=False)


# A printed QR code carries /S/<TOKEN>/Q (see leaflets/qr.py): the same link, counted as a scan.
@bp.get("/s/<token>/q")
@bp.get("/S/<token>/Q")
def follow_scan(token: str):
    """The redirect for a visit through a QR code: counted with the scan flag."""
    return _follow(token, scan=True)


def _follow(token: str, *, scan: bool):
    stopped = request.environ.pop(ERROR_KEY, None)
    if stopped is not None:  # the middleware met a database outage: answer it, don't retry
        raise stopped
    answer = redirect.answer(current_app._get_current_object(), request, token, scan=scan)
    if answer is None:
        abort(404)
    return answer.response()
