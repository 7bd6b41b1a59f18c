"""Money: exact largest-remainder splitting, and amounts typed by people."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharetrack.money import (
    display_whole,
    divide_half_up,
    format_minor,
    format_short,
    parse_major,
    split,
)

amounts = st.integers(min_value=0, max_value=10**10)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=30).filter(
    any
)


@given(amounts, weight_lists)
def test_parts_add_up_exactly(amount, weights):
    assert sum(split(amount, weights)) == amount


@given(amounts, weight_lists)
def test_each_part_is_its_quota_rounded_down_or_up(amount, weights):
    total = sum(weights)
    for part, weight in zip(split(amount, weights), weights, strict=True):
        quota = Fraction(amount * weight, total)
        assert quota - 1 < part < quota + 1
        assert part >= int(quota)  # never below the floor: the largest-remainder property


@given(amounts, weight_lists)
def test_a_zero_weight_gets_nothing(amount, weights):
    for part, weight in zip(split(amount, weights), weights, strict=True):
        if weight == 0:
            assert part == 0


@given(amounts, weight_lists)
def test_left_over_units_go_to_the_largest_remainders(amount, weights):
    total = sum(weights)
    parts = split(amount, weights)
    rounded_up = [i for i, w in enumerate(weights) if parts[i] > amount * w // total]
    kept_down = [i for i, w in enumerate(weights) if parts[i] == amount * w // total]
    if rounded_up and kept_down:
        assert min((amount * weights[i]) % total for i in rounded_up) >= max(
            (amount * weights[i]) % total for i in kept_down
        )


def test_ties_go_to_the_later_part():
    assert split(100, [1, 1, 1]) == [33, 33, 34]
    assert split(2, [1, 1, 1]) == [0, 1, 1]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_weights_must_make_sense(weights):
    with pytest.raises(ValueError):
        split(10, weights)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("25", "GBP", 2500), ("25.5", "GBP", 2550), ("1,000.00", "GBP", 100000), ("500", "JPY", 500)],
)
def test_parse_major(text, currency, minor):
    assert parse_major(text, currency) == minor


@pytest.mark.parametrize(
    "text", ["", "abc", "25,50", "1.234.5", "-5", "2.555", "1e3", "٣", "12,34,567"]
)
def test_parse_major_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_major(text, "GBP")


def test_format_minor():
    assert format_minor(123450, "GBP") == "£1,234.50"
    assert format_minor(2600, "EUR", whole=True) == "€26"
    assert format_minor(2649, "USD", whole=True) == "US$26"


@pytest.mark.parametrize(
    ("amount_minor", "currency", "shown"),
    [
        (2600, "GBP", "£26"),
        (2649, "EUR", "€26"),
        (2651, "USD", "$27"),
        (2600, "JPY", "¥2,600"),
        (123_456_78, "GBP", "£123,457"),
        (0, "GBP", "£0"),
    ],
)
def test_display_whole_is_whole_units_with_the_short_symbol(amount_minor, currency, shown):
    assert display_whole(amount_minor, currency) == shown


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**9))
def test_divide_half_up_is_the_nearest_integer_with_halves_away_from_zero(numerator, denominator):
    exact = Fraction(numerator, denominator)
    got = divide_half_up(numerator, denominator)
    assert abs(exact - got) <= Fraction(1, 2)
    if abs(exact - got) == Fraction(1, 2):  # a half: away from zero
        assert abs(got) > abs(exact)


def test_divide_half_up_refuses_a_zero_denominator():
    with pytest.raises(ValueError, match="positive"):
        divide_half_up(1, 0)


@pytest.mark.parametrize(
    ("text", "currency", "locale", "minor"),
    [
        ("12.50", "GBP", "en_GB", 1250),
        ("£12.50", "GBP", "en_GB", 1250),
        (" £ 1,012.50 ", "GBP", "en_GB", 101250),
        ("GBP 12", "GBP", "en_GB", 1200),
        ("12,50", "EUR", "de_DE", 1250),
        ("1.234,50 €", "EUR", "de_DE", 123450),
        ("12,50 €", "EUR", "fr_FR", 1250),
        ("1 234,50", "EUR", "fr_FR", 123450),
        ("$12.50", "USD", "en_US", 1250),
    ],
)
def test_parse_major_reads_signs_and_the_locales_decimal_comma(text, currency, locale, minor):
    assert parse_major(text, currency, locale) == minor


@pytest.mark.parametrize(
    ("text", "locale"), [("12,50", "en_GB"), ("€12", "en_GB"), ("1.5", "de_DE")]
)
def test_parse_major_keeps_a_comma_a_comma_where_the_locale_groups_with_it(text, locale):
    with pytest.raises(ValueError):
        parse_major(text, "GBP" if locale == "en_GB" else "EUR", locale)


@pytest.mark.parametrize(
    ("minor", "shown"),
    [(14_434, "£144.34"), (25_000, "£250"), (1_250_000, "£12.5k"), (210_000_000, "£2.1m")],
)
def test_format_short_is_compact_only_for_big_amounts(minor, shown):
    assert format_short(minor, "GBP", "en_GB") == shown
