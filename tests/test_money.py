"""Money through Babel: minor units in, people's amounts out and back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharetrack.money import format_amount, format_money, parse_amount


def test_format_money():
    assert format_money(123_450, "GBP", "en_GB") == "£1,234.50"
    assert format_money(123_450, "EUR", "de_DE") == "1.234,50\xa0€"
    assert format_money(1_000, "JPY", "en_GB") == "JP¥1,000"
    assert format_money(1_234, "BHD", "en_GB") == "BHD1.234"


@pytest.mark.parametrize(
    "text,currency,minor",
    [
        ("10,000", "GBP", 1_000_000),
        (" 2500.5 ", "GBP", 250_050),
        ("0", "GBP", 0),
        ("1,000,000", "JPY", 1_000_000),
        ("1.234", "BHD", 1_234),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency, "en_GB") == minor


@pytest.mark.parametrize(
    "text,message",
    [
        ("-5", "must not be negative"),
        ("1e5", "must be an amount such as 10,000 or 2,500.50"),
        ("NaN", "must be an amount such as 10,000 or 2,500.50"),
        ("£10", "must be an amount such as 10,000 or 2,500.50"),
        ("1,0000", "must be an amount such as 10,000 or 2,500.50"),
        ("１２", "must be an amount such as 10,000 or 2,500.50"),
        ("9" * 40, "must be an amount such as 10,000 or 2,500.50"),
        ("10.005", "can have at most 2 decimal places in GBP"),
    ],
)
def test_parse_amount_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(text, "GBP", "en_GB")


@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(["GBP", "JPY", "BHD", "EUR"]),
    st.sampled_from(["en_GB", "en_US", "de_DE", "fr_FR"]),
)
def test_a_shown_amount_reads_back_exactly(minor, currency, locale):
    assert parse_amount(format_amount(minor, currency, locale), currency, locale) == minor
