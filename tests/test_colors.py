"""The WCAG contrast rule behind a campaign's accent colour: pure, property-tested."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sharetrack.colors import AA_NORMAL_TEXT, accent_refusal, contrast, luminance

hex_colors = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_the_known_ratios():
    assert contrast("#000000", "#ffffff") == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest grey AA passes
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert luminance("#ffffff") == 1.0 and luminance("#000000") == 0.0


@given(hex_colors, hex_colors)
def test_contrast_is_symmetric_and_between_1_and_21(a, b):
    assert contrast(a, b) == contrast(b, a)
    assert 1.0 <= contrast(a, b) <= 21.0 + 1e-9


@given(hex_colors)
def test_a_colour_against_itself_is_1(a):
    assert contrast(a, a) == 1.0


@given(st.integers(0, 254))
def test_a_darker_grey_has_more_contrast_with_white(level):
    lighter, darker = (f"#{v:02x}{v:02x}{v:02x}" for v in (level + 1, level))
    assert contrast(darker, "#ffffff") > contrast(lighter, "#ffffff")


@given(hex_colors)
def test_an_accent_is_refused_exactly_below_aa(color):
    refused = accent_refusal(color) is not None
    assert refused == (contrast(color, "#ffffff") < AA_NORMAL_TEXT)


def test_the_refusal_says_why_and_never_rounds_up_to_the_bar():
    assert "4.47:1, below the 4.5:1" in accent_refusal("#777777")
    assert accent_refusal("#767676") is None
    assert accent_refusal("#0B6E4F") == "must be a colour like #0b6e4f"
    assert accent_refusal("red") == "must be a colour like #0b6e4f"
