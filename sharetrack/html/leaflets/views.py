"""QR images of share links (GET /s/<token>/qr.svg, /qr.png) and batch print sheets."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, g, render_template, request, url_for

from ...errors import Problem, invalid
from ...extensions import db
from ...leaflets import qr, service
from ...links.service import share_exists
from ...public import app_tokens, base_url, link_url
from ...ratelimit import spend
from ...services import services
from ...signing import canonical_share_token

bp = Blueprint("leaflets", __name__)
log = logging.getLogger(__name__)

# An image never changes for its URL and options; a year is as long as caches go.
CACHE_CONTROL = "public, max-age=31536000"
SLIPS_PER_SHEET = 8  # 2 × 4 cut-out slips of 90 × 60 mm: one sheet of A4 or Letter alike


@bp.get("/s/<token>/qr.png")
def qr_png(token: str):
    """The link's code as a PNG: ?size= pixels (128–2048), ?level=Q (default) or H."""
    return _qr_image(token, "png")


@bp.get("/s/<token>/qr.svg")
def qr_svg(token: str):
    """The link's code as an SVG: ?level=Q (default) or H."""
    return _qr_image(token, "svg")


def _qr_image(token: str, fmt: str):
    """The image, from the ETag or the app's memo when it can be, else rendered.

    Only renders cost real CPU, so only they count against RATELIMIT_QR and only
    they look the share up. A revalidation or a memo hit needs neither: both exist only for a
    token this service signed and a share it once found, and shares are never deleted.
    """
    share_id = app_tokens().share_id(token)
    if share_id is None:  # forged or altered: no image, no query
        abort(404)
    try:
        opts = qr.options(fmt, request.args.get("size"), request.args.get("level"))
        text = qr.payload(base_url(), canonical_share_token(token))
    except qr.BadOptions as exc:
        raise invalid(exc.errors, "The image options are out of range.") from None
    except qr.UnencodableOrigin as exc:
        log.warning("no QR code: %s (set BASE_URL to a short http(s) origin)", exc)
        raise Problem(400, "Bad Request", "This address cannot be put in a QR code.") from None
    tag = qr.etag(text, opts)
    if request.if_none_match.contains(tag):
        response = current_app.response_class(status=304)
    else:
        memo = services().qr_images  # one per app, so per worker
        data = memo.get(text, opts)
        if data is None:
            # Codes only for this service's own, existing links.
            if not share_exists(db.session, share_id):
                abort(404)
            wait = spend("RATELIMIT_QR", request.remote_addr or "", "qr-renders")
            if wait is not None:
                g.sharetrack_retry_after = wait
                abort(
                    429,
                    description=f"Too many new QR images from your network; try again in {wait} s.",
                )
            data = qr.image(text, opts)
            memo.put(text, opts, data)
        response = current_app.response_class(data, mimetype=qr.FORMATS[fmt])
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/leaflets/<int:batch_id>/print")
def print_sheet(batch_id: int):
    """A batch's A4/Letter print sheet; its URL carries a signed key (ids are guessable)."""
    if not app_tokens().print_key_ok(batch_id, request.args.get("key", "")):
        abort(404)
    sheet = service.print_sheet(db.session, batch_id)
    if sheet is None:
        abort(404)
    token = app_tokens().share_token(sheet.share_id)
    link = link_url(token)
    response = current_app.make_response(
        render_template(
            "leaflets/print.html",
            sheet=sheet,
            short_url=link.split("://", 1)[-1],
            code_url=url_for("leaflets.qr_svg", token=token),
            slips=range(SLIPS_PER_SHEET),
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
