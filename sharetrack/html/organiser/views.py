"""A campaign's accent colour as a stylesheet: /c/<slug>/accent.css.

The CSP forbids inline styles (security.py: default-src 'self', no 'unsafe-inline'), so a
campaign's colour reaches its public pages as a tiny stylesheet of its own that sets the site's
`--accent` custom property. Its address carries the colour (?v=), so a changed colour is a new
address and the old one may be cached for long. It sets no cookie.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app

from ...campaigns import service as campaigns
from ...extensions import db

bp = Blueprint("organiser", __name__)

# Only the light scheme: the dark one keeps its own light accent, which reads on dark grounds.
STYLESHEET = "@media not (prefers-color-scheme: dark) {{ :root {{ --accent: {color}; }} }}\n"


@bp.get("/c/<slug>/accent.css")
def accent(slug: str):
    """The campaign's accent colour as a custom property; 404 without one."""
    campaign = campaigns.get_campaign_or_404(db.session, slug)
    if not campaign.accent_color:
        abort(404)
    response = current_app.response_class(
        STYLESHEET.format(color=campaign.accent_color), mimetype="text/css"
    )
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
