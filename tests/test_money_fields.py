"""Amounts in form fields: what format_major shows, parse_major reads back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharetrack.money import format_major, parse_major


@pytest.mark.parametrize(
    "minor,currency,shown",
    [
        (123_450, "GBP", "1,234.50"),
        (1_000_000, "JPY", "1,000,000"),
        (1_234, "BHD", "1.234"),
        (0, "GBP", "0.00"),
    ],
)
def test_format_major(minor, currency, shown):
    assert format_major(minor, currency) == shown


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["GBP", "JPY", "BHD", "EUR"]))
def test_a_shown_amount_reads_back_exactly(minor, currency):
    assert parse_major(format_major(minor, currency), currency) == minor
