"""Security headers: one policy, applied to every response (HTML pages, JSON, redirects).

The Content-Security-Policy is built from the POLICY dict, as Warehouse builds its own. Nothing
on our pages loads from another origin (no CDN, fonts or analytics), so `default-src 'self'`
holds everywhere. Framing is refused unless a view lets one origin in for its own response:
the embed page calls `allow_framing_by(campaign.landing_url)`. Forms post to our origin only,
unless a page lets one more origin in: with Stripe on, the hosted pledge page calls
`allow_form_action_to(checkout origin)` because browsers apply form-action to the redirect that
follows the post (docs/adr/0305-stripe-checkout-and-form-action.md). A header a view set itself
wins (the redirect's `Referrer-Policy: no-referrer`). See docs/adr/0701-security-headers.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app, g

POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "object-src": ("'none'",),
    "frame-ancestors": ("'none'",),
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")


def csp(policy: dict[str, tuple[str, ...]]) -> str:
    """The header value of a policy dict."""
    return "; ".join(" ".join((directive, *sources)) for directive, sources in policy.items())


_DEFAULT_CSP = csp(POLICY)  # every response but the embed page's: built once


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, safe to use as a CSP source; else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme not in ("http", "https") or not _HOST.match(host):
        return None
    default_port = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def allow_framing_by(url: str) -> bool:
    """Let this response be framed by the origin of `url` only; False (still unframeable) if
    `url` has no usable origin."""
    origin = origin_of(url)
    if origin is None:
        return False
    g.sharetrack_frame_ancestors = origin
    return True


def allow_form_action_to(url: str) -> bool:
    """Let this page's forms also lead to the origin of `url` (a redirect after the post);
    False, and nothing changed, if `url` has no usable origin."""
    origin = origin_of(url)
    if origin is None:
        return False
    g.sharetrack_form_action = origin
    return True


def apply(response):
    """Add the policy's headers that the response does not set itself."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}  # one pass, not one per header
    wanted = list(HEADERS.items())
    framer = g.get("sharetrack_frame_ancestors")
    form_target = g.get("sharetrack_form_action")
    policy = POLICY
    if form_target:
        policy = {**policy, "form-action": (*POLICY["form-action"], form_target)}
    if framer:
        wanted.append(("Content-Security-Policy", csp({**policy, "frame-ancestors": (framer,)})))
    elif form_target:
        wanted.append(("Content-Security-Policy", csp(policy)))
        wanted.append(("X-Frame-Options", "DENY"))
    else:
        wanted.append(("Content-Security-Policy", _DEFAULT_CSP))
        # For browsers too old for frame-ancestors; it cannot name one origin, so only here.
        wanted.append(("X-Frame-Options", "DENY"))
    hsts = _hsts_seconds(current_app)
    if hsts > 0:
        wanted.append(("Strict-Transport-Security", f"max-age={hsts}"))
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def default_headers(app: Flask, skip: tuple[tuple[str, str], ...] = ()) -> tuple:
    """The policy's headers for a response no view made an exception for, as (name, value)
    pairs, leaving out the names in `skip` (headers the response sets itself): what apply()
    adds to such a response, for answers built without a Response object (the redirect)."""
    return _default_headers(_hsts_seconds(app), skip)


@lru_cache(maxsize=16)
def _default_headers(hsts: int, own: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    skip = {name.lower() for name, _ in own}
    wanted = [
        *HEADERS.items(),
        ("Content-Security-Policy", _DEFAULT_CSP),
        ("X-Frame-Options", "DENY"),
    ]
    if hsts > 0:
        wanted.append(("Strict-Transport-Security", f"max-age={hsts}"))
    return tuple((name, value) for name, value in wanted if name.lower() not in skip)


def _hsts_seconds(app: Flask) -> int:
    """HSTS max-age, 0 for none: never in debug or tests (a browser would remember it)."""
    if app.debug or app.testing:
        return 0
    return int(app.config["HSTS_SECONDS"] or 0)


def init_app(app: Flask) -> None:
    """Apply the policy to every response of the app."""
    app.after_request(apply)
