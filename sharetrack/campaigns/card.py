"""The hosted page's social card: a 1200 × 630 PNG of the organiser, the case's title, the ask's
card headline (if any), money raised and progress.

Drawn with Pillow from fonts on this machine (DejaVu, Debian's fonts-dejavu-core), else
Pillow's own bundled font: nothing is fetched from another origin. The ETag is a hash of
exactly what the picture shows, so it changes when the campaign's figures do.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageColor, ImageDraw, ImageFont

from ..cache import get_or_make

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
INK = (27, 27, 27)
MUTED = (74, 74, 74)
ACCENT = (11, 110, 79)
TRACK = (221, 232, 227)
PAPER = (255, 255, 255)
VERSION = "3"  # bump when the drawing changes, so cached cards are fetched again
# A card is named by what it shows, so a cached one is never stale; this only bounds how long
# the drawing of figures nobody asks for any more is kept.
CACHED_FOR = 7 * 86400  # seconds


@dataclass(frozen=True)
class Card:
    """What the card shows, already formatted for the campaign's locale."""

    title: str
    raised: str  # "£2,144"
    target: str | None  # "£10,000", or None without a target
    pledges: str  # "4 pledges"
    fraction: float  # raised / target, 0 without a target
    organiser: str = ""  # whose campaign: the organiser's name, drawn above the title
    accent: str | None = None  # "#rrggbb" (checked for contrast on white), else ACCENT
    # The ask's line under the title: a running experiment's variant, else the campaign's own.
    headline: str | None = None

    def etag(self) -> str:
        """A strong validator of exactly this picture."""
        parts = (VERSION, self.title, self.raised, str(self.target), self.pledges, self.organiser)
        text = "\x1f".join((*parts, str(self.accent), str(self.headline)))
        text += f"\x1f{self.fraction:.4f}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans at `size` px from the system's fonts, else Pillow's bundled default."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for path in (name, f"/usr/share/fonts/truetype/dejavu/{name}"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _lines(draw: ImageDraw.ImageDraw, text: str, face, width: int, most: int) -> list[str]:
    """`text` wrapped into at most `most` lines of `width` px, the last one ellipsed if cut."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < most:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=face) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words or (lines and draw.textlength(lines[-1], font=face) > width):
        last = lines[-1]
        while last and draw.textlength(last + "…", font=face) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def png(card: Card) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    accent = ImageColor.getrgb(card.accent) if card.accent else ACCENT
    draw.rectangle((0, 0, WIDTH, 16), fill=accent)
    inner = WIDTH - 2 * MARGIN
    y = 64
    if card.organiser:
        organiser_face = font(32, bold=True)
        draw.text(
            (MARGIN, 44),
            _lines(draw, card.organiser, organiser_face, inner, 1)[0],
            font=organiser_face,
            fill=MUTED,
        )
        y = 100
    title_face = font(60, bold=True)
    for line in _lines(draw, card.title, title_face, inner, 2 if card.headline else 3):
        draw.text((MARGIN, y), line, font=title_face, fill=INK)
        y += 74
    if card.headline:
        headline_face = font(40, bold=True)
        draw.text(
            (MARGIN, y + 4),
            _lines(draw, card.headline, headline_face, inner, 1)[0],
            font=headline_face,
            fill=accent,
        )
        y += 56
    raised_face = font(72, bold=True)
    y = max(y + 24, 300)
    draw.text((MARGIN, y), card.raised, font=raised_face, fill=accent)
    after = MARGIN + draw.textlength(card.raised, font=raised_face) + 20
    words = "raised" + (f" of {card.target}" if card.target else "")
    draw.text((after, y + 30), words, font=font(36), fill=MUTED)
    bar_y = y + 112
    draw.rounded_rectangle((MARGIN, bar_y, WIDTH - MARGIN, bar_y + 36), 18, fill=TRACK)
    filled = round(inner * min(max(card.fraction, 0.0), 1.0))
    if filled:
        end = MARGIN + max(filled, 36)
        draw.rounded_rectangle((MARGIN, bar_y, end, bar_y + 36), 18, fill=accent)
    draw.text((MARGIN, bar_y + 60), card.pledges, font=font(32), fill=MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def cached_png(card: Card) -> bytes:
    """The card as PNG bytes, drawn once per picture and kept in the workers' shared cache."""
    return get_or_make(f"card/{card.etag()}", lambda: png(card), CACHED_FOR)
