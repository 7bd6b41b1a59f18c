"""Colours: WCAG 2 relative luminance and contrast, for a campaign's accent colour.

A campaign's accent colours links on a white page and is the background of buttons with white
text, so it must reach WCAG AA's 4.5:1 against both (they are the same test: the page is white).
"""

from __future__ import annotations

import math
import re

HEX_RE = re.compile(r"^#[0-9a-f]{6}$")
WHITE = "#ffffff"
PAGE_BACKGROUND = WHITE  # site.css --bg in the light scheme; --accent-text on buttons is white
AA_NORMAL_TEXT = 4.5


def _channel(value: int) -> float:
    """One sRGB channel (0–255) as linear light (WCAG 2.x's formula and threshold)."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """The WCAG relative luminance of `#rrggbb`: 0 for black, 1 for white."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours: 1 (same) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def accent_refusal(color: str) -> str | None:
    """Why `color` cannot be a campaign's accent, or None when it can."""
    if not HEX_RE.fullmatch(color):
        return "must be a colour like #0b6e4f"
    ratio = contrast(color, PAGE_BACKGROUND)
    if ratio < AA_NORMAL_TEXT:
        shown = math.floor(ratio * 100) / 100  # never rounded up to the bar it misses
        return (
            f"is too light: its contrast with the white page and white button text is "
            f"{shown:.2f}:1, below the 4.5:1 that WCAG AA asks for; choose a darker colour"
        )
    return None
