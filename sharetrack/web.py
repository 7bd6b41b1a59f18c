"""Small request-side helpers shared by the blueprints."""

from __future__ import annotations

import time

from flask import current_app, request

from . import formatting
from .links.tokens import Tokens
from .promoters import identity
from .tracking import touches, visitors

PROMOTER_COOKIE = "st_promoter"
PROMOTER_COOKIE_AGE = 365 * 86400


def init_app(app) -> None:
    """Build the app's signers once; keep the per-worker salt cache."""
    app.extensions["sharetrack.tokens"] = Tokens(
        app.config["SECRET_KEY"], app.config["SECRET_KEYS"]
    )
    app.extensions["sharetrack.salts"] = {}
    app.jinja_env.filters.update(formatting.FILTERS)


def app_tokens() -> Tokens:
    """The current app's signers."""
    return current_app.extensions["sharetrack.tokens"]


def base_url() -> str:
    """The public origin links are built on: BASE_URL if set, else this request's."""
    configured = current_app.config.get("BASE_URL")
    return (configured or request.host_url).rstrip("/")


def link_url(token: str) -> str:
    """The public URL of a share link."""
    return f"{base_url()}/s/{token}"


def dashboard_url(promoter_key: str) -> str:
    """The public URL of a promoter's private page, /p/<key>."""
    return f"{base_url()}/p/{promoter_key}"


def print_url(batch_id: int) -> str:
    """The public URL of a leaflet batch's print sheet, with its signed key."""
    return f"{base_url()}/leaflets/{batch_id}/print?key={app_tokens().print_key(batch_id)}"


def cookie_promoter() -> str | None:
    """This browser's promoter cookie, as sent (promoters.identity checks it)."""
    return request.cookies.get(PROMOTER_COOKIE) or None


def set_promoter_cookie(response, promoter) -> None:
    """Remember the browser's promoter, so its next link has the same owner; never under
    Global Privacy Control or Do Not Track."""
    if visitors.opted_out(request.headers):
        return
    response.set_cookie(
        PROMOTER_COOKIE,
        identity.browser_value(app_tokens(), promoter),
        max_age=PROMOTER_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["COOKIE_SECURE"],
    )


def arrivals() -> list[touches.Touch]:
    """The live touches in this browser's touch cookie, oldest first."""
    return touches.decode(
        app_tokens().touch_cookie, request.cookies.get(touches.COOKIE_NAME), int(time.time())
    )


def arrival_share_ids() -> list[int]:
    """The share ids this browser arrived through, oldest first."""
    return [t.share_id for t in arrivals()]


def shared_link_page(campaign, shared):
    """The page a share button answers with: the new link, the network's share link, the
    promoter's own page and a way to have its address emailed.

    A page of ours rather than a redirect to the network: CSP's form-action 'self' also
    covers where a form post redirects, so browsers would block a 303 there (ADR 0401).
    """
    from flask import make_response, render_template

    from .config import mail_enabled
    from .links.channels import LABELS, share_intent_url
    from .promoters.forms import EmailForm

    share = shared.share
    url = link_url(app_tokens().share_token(share.id))
    intent = (
        None if share.channel == "link" else share_intent_url(share.channel, url, campaign.title)
    )
    key = identity.private_key(app_tokens(), shared.promoter)
    page = render_template(
        "embed/shared.html",
        campaign=campaign,
        url=url,
        channel=share.channel,
        label=LABELS[share.channel],
        intent=intent,
        page_url=dashboard_url(key),
        key=key,
        # No form token: the key in the form's address is the secret (and so no session
        # cookie, which GPC and DNT visitors must not get).
        email_form=EmailForm(meta={"csrf": False}) if mail_enabled(current_app.config) else None,
    )
    response = make_response(page)
    set_promoter_cookie(response, shared.promoter)
    return response
