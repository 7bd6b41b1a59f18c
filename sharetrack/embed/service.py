"""What the box shows: one button per channel, each with its own figure or an honest "not yet"."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlsplit

from ..channels import CHANNEL, LISTED_CHANNELS, PUBLIC_CHANNELS
from ..estimates import figures

# The snippet's height in CSS px: the heading and note, and one row per channel. A row is
# sized for the narrowest box (320 px: the figure on two lines above a full-width button);
# embed.css keeps rows within it, and tests/browser/test_embed.py measures it at 375 and 1280 px.
BOX_CHROME_PX = 112
ROW_PX = 112


class UnknownChannels(ValueError):
    """Some of the channels asked for cannot be shown; `names` lists them."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


@dataclass(frozen=True)
class Button:
    """One channel of the box: what it does, and the amount to show (None: too uncertain)."""

    channel: str
    action: str
    place: str
    amount: str | None


def channels_asked(text: str | None) -> list[str]:
    """The channels a snippet asks for (`facebook,x`), in its order; every listed one if none."""
    if not text:
        return list(LISTED_CHANNELS)
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in PUBLIC_CHANNELS]
    if unknown or not names:
        raise UnknownChannels(unknown or [text])
    return names


def buttons(current: figures.Figures, currency: str, channels: list[str]) -> list[Button]:
    """The box's buttons; a channel whose figure means nothing shows no amount."""
    shown = {c: figures.display(current.channels[c].estimate, currency) for c in channels}
    return shown_buttons(shown, channels)


def shown_buttons(amounts: dict[str, str | None], channels: list[str]) -> list[Button]:
    """The box's buttons from each channel's shown amount (figures.display; None: not shown)."""
    # "Your share … could raise £26": the place says where the share goes.
    return [Button(c, CHANNEL[c].action, CHANNEL[c].place, amounts.get(c)) for c in channels]


def iframe_height(channels: int) -> int:
    """The iframe height (px) that shows a box of this many channels without scrolling."""
    return BOX_CHROME_PX + ROW_PX * channels


def snippet(embed_url: str, title: str) -> str:
    """The <iframe> staff paste into their case page, as tall as its channels need.

    The channels are those the URL's `?channels=` names (every public one if none).
    `sandbox` keeps the box from running anything on their page; it still may submit its
    forms into a new tab (allow-popups…) as our own origin (allow-same-origin: the share
    endpoint checks the request comes from our origin).
    """
    asked = parse_qs(urlsplit(embed_url).query).get("channels", [None])[0]
    height = iframe_height(len(channels_asked(asked)))
    return (
        f'<iframe src="{escape(embed_url)}" title="{escape("Be a promoter: " + title)}" '
        f'width="100%" height="{height}" loading="lazy" '
        'sandbox="allow-forms allow-popups allow-popups-to-escape-sandbox allow-same-origin">'
        "</iframe>"
    )
