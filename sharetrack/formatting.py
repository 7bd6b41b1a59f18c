"""Numbers, money and dates on pages, through Babel in the site's locale (Jinja filters)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask import current_app

from .money import format_minor


def locale() -> str:
    """The locale pages are written in (money, numbers, dates)."""
    return current_app.config["LOCALE"]


def money(minor: int, currency: str) -> str:
    """`£1,234.50` for an amount in minor units."""
    return format_minor(minor, currency, locale())


def number(n: int) -> str:
    """`1,234`."""
    return format_decimal(n, locale=locale())


def date(moment: dt.date) -> str:
    """`26 Nov 2026`."""
    return format_date(moment, format="medium", locale=locale())


def day(iso: str) -> str:
    """`26 Nov 2026` for an ISO date such as a report's daily row carries."""
    return date(dt.date.fromisoformat(iso))


def percent(fraction: float | None) -> str:
    """`42%` (`—` for None: nothing to divide)."""
    return "—" if fraction is None else format_percent(fraction, locale=locale())


FILTERS = {"money": money, "number": number, "date": date, "day": day, "percent": percent}
