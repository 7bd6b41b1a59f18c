"""Money: integer minor units in storage, Babel for reading and writing amounts."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_currency_precision,
    parse_decimal,
)

# Digits with the separators people type (comma, dot, apostrophe, spaces); no sign, no exponent.
_AMOUNT = re.compile(r"^[0-9][0-9.,' \u00a0\u202f]{0,31}$")


def digits(currency: str) -> int:
    """How many minor-unit digits the currency has (GBP 2, JPY 0, BHD 3)."""
    return get_currency_precision(currency)


def to_major(minor: int, currency: str) -> Decimal:
    """An amount in minor units as an exact decimal in major units."""
    return Decimal(minor).scaleb(-digits(currency))


def format_money(minor: int, currency: str, locale: str) -> str:
    """An amount for people to read, e.g. £1,234.50."""
    return format_currency(to_major(minor, currency), currency, locale=locale)


def format_amount(minor: int, currency: str, locale: str) -> str:
    """An amount without its symbol, the way a form field shows it (1,234.50)."""
    places = digits(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(to_major(minor, currency), format=pattern, locale=locale)


def parse_amount(text: str, currency: str, locale: str) -> int:
    """Minor units of an amount typed in major units; ValueError says what is wrong with it."""
    text = text.strip()
    if text.startswith("-"):
        raise ValueError("must not be negative")
    if not _AMOUNT.match(text):
        raise ValueError("must be an amount such as 10,000 or 2,500.50")
    try:
        amount = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        raise ValueError("must be an amount such as 10,000 or 2,500.50") from None
    places = digits(currency)
    minor = amount.scaleb(places)
    if minor != minor.to_integral_value():
        raise ValueError(f"can have at most {places} decimal places in {currency}")
    return int(minor)
