"""The HTML pages' shared pieces: template filters and the page a share button answers with."""

from __future__ import annotations

from flask import make_response, render_template

from . import formatting
from .channels import CHANNEL
from .links.public import app_tokens, link_url, set_promoter_cookie


def init_app(app) -> None:
    """The templates' filters."""
    app.jinja_env.filters.update(formatting.FILTERS)


def shared_link_page(campaign, share, promoter_code: str):
    """The page a share button answers with: the new link and the network's share link.

    A page of ours rather than a redirect to the network: CSP's form-action 'self' also
    covers where a form post redirects, so browsers would block a 303 there (ADR 0401).
    """
    url = link_url(app_tokens().share_token(share.id))
    channel = CHANNEL[share.channel]
    intent = channel.intent(url, campaign.title) if channel.intent else None
    page = render_template(
        "embed/shared.html",
        campaign=campaign,
        url=url,
        channel=share.channel,
        label=channel.label,
        intent=intent,
    )
    response = make_response(page)
    set_promoter_cookie(response, promoter_code)
    return response
