"""Public URLs of links and pages, and the browser's promoter and touch cookies.

Request-side, but no HTML: the JSON API and the HTML pages both use them.
"""

from __future__ import annotations

import time

from flask import current_app, request

from .promoters import identity
from .services import services
from .signing import Tokens
from .tracking import touches, visitors

PROMOTER_COOKIE = "st_promoter"
PROMOTER_COOKIE_AGE = 365 * 86400


def app_tokens() -> Tokens:
    """The current app's signers."""
    return services().tokens


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


def arrivals() -> list[touches.Arrival]:
    """The live touches in this browser's touch cookie, oldest first."""
    return touches.decode(
        app_tokens().touch_cookie, request.cookies.get(touches.COOKIE_NAME), int(time.time())
    )


def arrival_share_ids() -> list[int]:
    """The share ids this browser arrived through, oldest first."""
    return [t.share_id for t in arrivals()]
