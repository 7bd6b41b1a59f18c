"""Small request-side helpers shared by the blueprints."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app, request

from .links.tokens import Tokens
from .money import format_money


def init_app(app) -> None:
    """Build the app's signers once; keep the per-worker salt cache."""
    app.extensions["sharetrack.tokens"] = Tokens(
        app.config["SECRET_KEY"], app.config["SECRET_KEYS"]
    )
    app.extensions["sharetrack.salts"] = {}
    app.jinja_env.filters.update(money=_money, number=_number, date=_date)


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


def locale() -> str:
    """The locale pages are written in (money, numbers, dates)."""
    return current_app.config["LOCALE"]


def _money(minor: int, currency: str) -> str:
    return format_money(minor, currency, locale())


def _number(n: int) -> str:
    return format_decimal(n, locale=locale())


def _date(moment: dt.date) -> str:
    return format_date(moment, format="medium", locale=locale())
