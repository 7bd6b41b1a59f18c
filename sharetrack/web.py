"""Small request-side helpers shared by the blueprints."""

from __future__ import annotations

import time

from flask import current_app, request
from itsdangerous import BadSignature

from . import formatting
from .links.tokens import Tokens
from .tracking import touches

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
    """The public origin links are built on: BASE_URL (in debug and tests, else this request's).

    Production refuses to start without BASE_URL (config.refuse_unsafe), so there the Host and
    X-Forwarded-Host headers never decide an address that QR images and emails carry.
    """
    configured = current_app.config.get("BASE_URL")
    return (configured or request.host_url).rstrip("/")


def link_url(token: str) -> str:
    """The public URL of a share link."""
    return f"{base_url()}/s/{token}"


def dashboard_url(promoter_code: str) -> str:
    """The public URL of a promoter's private page."""
    return f"{base_url()}/p/{app_tokens().dashboard_token(promoter_code)}"


def print_url(batch_id: int) -> str:
    """The public URL of a leaflet batch's print sheet, with its signed key."""
    return f"{base_url()}/leaflets/{batch_id}/print?key={app_tokens().print_key(batch_id)}"


def cookie_promoter_code() -> str | None:
    """The promoter code this browser was given when it last shared, if its cookie verifies."""
    raw = request.cookies.get(PROMOTER_COOKIE)
    if not raw:
        return None
    try:
        code = app_tokens().promoter_cookie.loads(raw)
    except (BadSignature, UnicodeError, ValueError):  # a bad cookie: no promoter yet
        return None
    return code if isinstance(code, str) else None


def set_promoter_cookie(response, code: str) -> None:
    """Remember the browser's promoter, so its next link has the same owner."""
    response.set_cookie(
        PROMOTER_COOKIE,
        app_tokens().promoter_cookie.dumps(code),
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


def shared_link_page(campaign, share, promoter_code: str):
    """The page a share button answers with: the new link and the network's share link.

    A page of ours rather than a redirect to the network: CSP's form-action 'self' also
    covers where a form post redirects, so browsers would block a 303 there (ADR 0401).
    """
    from flask import make_response, render_template

    from .links.channels import LABELS, share_intent_url

    url = link_url(app_tokens().share_token(share.id))
    intent = (
        None if share.channel == "link" else share_intent_url(share.channel, url, campaign.title)
    )
    page = render_template(
        "embed/shared.html",
        campaign=campaign,
        url=url,
        channel=share.channel,
        label=LABELS[share.channel],
        intent=intent,
    )
    response = make_response(page)
    set_promoter_cookie(response, promoter_code)
    return response
