"""Small request-side helpers shared by the blueprints."""

from __future__ import annotations

from flask import current_app, request

from . import formatting
from .links.tokens import Tokens


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


def dashboard_url(promoter_code: str) -> str:
    """The public URL of a promoter's private page."""
    return f"{base_url()}/p/{app_tokens().dashboard_token(promoter_code)}"


def print_url(batch_id: int) -> str:
    """The public URL of a leaflet batch's print sheet, with its signed key."""
    return f"{base_url()}/leaflets/{batch_id}/print?key={app_tokens().print_key(batch_id)}"
