"""Numbers, money and dates on pages, through Babel in the site's locale (Jinja filters)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_timedelta
from babel.numbers import format_decimal, format_percent
from flask import current_app

from .channels import CHANNEL
from .money import format_minor, format_short, is_whole, to_major


def locale() -> str:
    """The locale pages are written in (money, numbers, dates)."""
    return current_app.config["LOCALE"]


def money(minor: int, currency: str) -> str:
    """`£1,234.50`, or `£1,234` when the amount is whole, for an amount in minor units."""
    return format_minor(minor, currency, locale(), whole=is_whole(minor, currency))


def money_whole(minor: int, currency: str) -> str:
    """`£166` for 16,578 pence: a headline or an estimate, in whole units (rounded half up)."""
    return format_minor(minor, currency, locale(), whole=True)


def money_headline(minor: int, currency: str) -> str:
    """A headline figure: whole units (`£166`), shortened from ten thousand (`£12.5k`)."""
    if abs(to_major(minor, currency)) < 10_000:
        return money_whole(minor, currency)
    return money_short(minor, currency)


def money_short(minor: int, currency: str) -> str:
    """`£2.1m`, `£12.5k` or `£250`: an amount where space is short (chart axes, cards)."""
    return format_short(minor, currency, locale())


def number(n: int) -> str:
    """`1,234`."""
    return format_decimal(n, locale=locale())


def date(moment: dt.date) -> str:
    """`26 Nov 2026`."""
    return format_date(moment, format="medium", locale=locale())


def day(iso: str) -> str:
    """`26 Nov 2026` for an ISO date such as a report's daily row carries."""
    return date(dt.date.fromisoformat(iso))


def short_day(iso: str) -> str:
    """`26 Nov`: a date on a chart's axis."""
    return format_date(dt.date.fromisoformat(iso), format="d MMM", locale=locale())


def percent(fraction: float | None) -> str:
    """`42%` (`—` for None: nothing to divide)."""
    return "—" if fraction is None else format_percent(fraction, locale=locale())


def cascade(factor: float | None) -> str:
    """The cascade factor (child shares per share) as a percentage: 0.362 is `36%`."""
    return percent(factor)


def channel(name: str) -> str:
    """A channel's name for tables and headings (`WhatsApp`, `Email`), from the registry."""
    known = CHANNEL.get(name)
    return known.name if known else name


def ago(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """`2 hours ago`: how long before now a naive-UTC moment was (`just now` under a minute)."""
    delta = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)) - moment
    if delta < dt.timedelta(minutes=1):
        return "just now"
    return format_timedelta(-delta, add_direction=True, locale=locale())


FILTERS = {
    "money": money,
    "money_short": money_short,
    "money_whole": money_whole,
    "money_headline": money_headline,
    "number": number,
    "date": date,
    "day": day,
    "percent": percent,
    "cascade": cascade,
    "channel": channel,
    "ago": ago,
}
