"""Money: integer minor units, exact splitting, and formatting and parsing with Babel."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from babel.numbers import (
    format_compact_currency,
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

_MAJOR = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$")


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to integer `weights`, summing exactly to `amount`.

    Largest-remainder rounding: every part is its exact quota rounded down, and the units
    left over go one each to the parts with the largest remainders. Integer arithmetic only,
    so nothing depends on floating point. Ties go to the later part.
    """
    if amount < 0:
        raise ValueError("amount must not be negative")
    if not weights or any(w < 0 for w in weights):
        raise ValueError("weights must be a non-empty list of non-negative integers")
    total = sum(weights)
    if total == 0:
        raise ValueError("weights must not all be zero")
    quotas = [amount * w for w in weights]
    parts = [q // total for q in quotas]
    left = amount - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (quotas[i] % total, i), reverse=True)
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves away from zero, exactly."""
    if denominator <= 0:
        raise ValueError("the denominator must be positive")
    value = (2 * abs(numerator) + denominator) // (2 * denominator)
    return value if numerator >= 0 else -value


def digits(currency: str) -> int:
    """How many decimal digits the currency's minor unit has (2 for GBP, 0 for JPY)."""
    return get_currency_precision(currency)


def to_major(amount_minor: int, currency: str) -> Decimal:
    """Minor units as a Decimal amount of the major unit."""
    return Decimal(amount_minor).scaleb(-digits(currency))


def format_minor(amount_minor: int, currency: str, locale: str = "en_GB", whole=False) -> str:
    """`£1,234.50` (or `£1,235` with whole=True) for an amount in minor units."""
    value = to_major(amount_minor, currency)
    if whole:
        return format_currency(
            value.quantize(Decimal(1)),
            currency,
            locale=locale,
            format="¤#,##0",
            currency_digits=False,
        )
    return format_currency(value, currency, locale=locale)


def is_whole(amount_minor: int, currency: str) -> bool:
    """The amount has no fraction of the major unit (`£25`, not `£25.50`)."""
    return amount_minor % 10 ** digits(currency) == 0


def format_short(amount_minor: int, currency: str, locale: str = "en_GB") -> str:
    """Where space is short: `£2.1m` from a million up, `£12.5k` from ten thousand, else exact
    (`£250`, `£12.34`)."""
    value = to_major(amount_minor, currency)
    if abs(value) < 10_000:
        return format_minor(amount_minor, currency, locale, whole=is_whole(amount_minor, currency))
    return format_compact_currency(value, currency, locale=locale, fraction_digits=1)


def display_whole(amount_minor: int, currency: str) -> str:
    """An amount in whole units as a sentence shows it: `£26`, `€26`, `$26`, `¥2,600`.

    Babel's plain English locale, whose symbols are the short ones people know (`$`, not the
    en_GB `US$`); `CHF26` for a currency without one.
    """
    return format_minor(amount_minor, currency, "en", whole=True)


def parse_major(text: str, currency: str, locale: str = "en_GB") -> int:
    """Minor units from what a person types ("25", "£25.50", "1,000"; "25,50" where the locale
    writes a decimal comma); ValueError explains."""
    cleaned = _normalised(text, currency, locale)
    match = _MAJOR.match(cleaned)
    if not match:
        raise ValueError("Enter an amount in digits, like 25 or 25.50.")
    places = digits(currency)
    fraction = match.group(1) or ""
    if len(fraction.rstrip("0")) > places:
        raise ValueError(
            f"{currency} has no smaller unit than {Decimal(1).scaleb(-places)}."
            if places
            else f"{currency} amounts are whole numbers."
        )
    return int(Decimal(cleaned.replace(",", "")).scaleb(places))


def _normalised(text: str, currency: str, locale: str) -> str:
    """The typed amount without spaces or currency sign, in `1,234.50` notation."""
    cleaned = "".join(text.split()).replace("\u202f", "")
    for sign in sorted(
        {get_currency_symbol(currency, locale), get_currency_symbol(currency, "en"), currency},
        key=len,
        reverse=True,
    ):
        if cleaned.startswith(sign):
            cleaned = cleaned[len(sign) :]
            break
        if cleaned.endswith(sign):
            cleaned = cleaned[: -len(sign)]
            break
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    if decimal != ".":  # "1.234,50" (de) or "1 234,50" (fr): swap into the pattern's notation
        cleaned = cleaned.translate({ord(group): ",", ord(decimal): "."})
    return cleaned


def format_major(amount_minor: int, currency: str) -> str:
    """An amount as a form field shows it, without symbol: `1,234.50`; parse_major reads it."""
    return f"{to_major(amount_minor, currency):,}"
