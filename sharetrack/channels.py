"""The channel registry: one frozen record per channel; every channel fact derives from it.

Labels, button texts, UTM media, share-intent URLs and which channels the public may pick are
read from CHANNEL here and nowhere else (the schema's check constraint uses CHANNELS too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# (link, text) -> the network's share-intent URL with both filled in.
IntentBuilder = Callable[[str, str], str]


def _q(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True)
class Channel:
    """One channel: how it is named, tagged and shared, and who may make its links."""

    id: str
    label: str  # in running text: "on {label}", "a share on {label}"
    title: str  # a heading on the promoter's page
    medium: str  # utm_medium of the landing URL
    # What a promoter's button says and where the share goes; None for staff-only channels.
    action: str | None
    place: str | None
    # Opens the network's share dialog; None: the link is copied or printed as it is.
    intent: IntentBuilder | None
    public: bool = True
    # Its name in a table cell or a chart ("Email"); the label when that reads as a name.
    short: str | None = None
    # Listed as a button of its own (the hosted page, the box); False for the device's share
    # sheet, which pages offer only where the browser has one (static/js/share.js).
    listed: bool = True

    @property
    def name(self) -> str:
        """The channel's name for tables and headings."""
        return self.short or self.label


def _social(id_: str, label: str, intent: IntentBuilder) -> Channel:
    return Channel(
        id_, label, label, "social", f"I'll share on {label}", f"on {label}", intent, True
    )


REGISTRY: tuple[Channel, ...] = (
    _social(
        "facebook", "Facebook", lambda u, t: f"https://www.facebook.com/sharer/sharer.php?u={_q(u)}"
    ),
    _social("x", "X", lambda u, t: f"https://x.com/intent/tweet?url={_q(u)}&text={_q(t)}"),
    _social("whatsapp", "WhatsApp", lambda u, t: f"https://wa.me/?text={_q(t + ' ' + u)}"),
    _social(
        "linkedin",
        "LinkedIn",
        lambda u, t: f"https://www.linkedin.com/sharing/share-offsite/?url={_q(u)}",
    ),
    _social(
        "bluesky", "Bluesky", lambda u, t: f"https://bsky.app/intent/compose?text={_q(t + ' ' + u)}"
    ),
    _social(
        "telegram", "Telegram", lambda u, t: f"https://t.me/share/url?url={_q(u)}&text={_q(t)}"
    ),
    _social(
        "reddit", "Reddit", lambda u, t: f"https://www.reddit.com/submit?url={_q(u)}&title={_q(t)}"
    ),
    Channel(
        "email",
        "email",
        "Email",
        "email",
        "I'll share by email",
        "by email",
        lambda u, t: f"mailto:?subject={_q(t)}&body={_q(t + chr(10) + chr(10) + u)}",
        short="Email",
    ),
    # One name, "link", as email is "email": the button, the heading and the table say it.
    Channel(
        "link", "link", "Link", "referral", "I'll share by link", "by link", None, short="Link"
    ),
    # The phone's own share sheet (the Web Share API): the app it goes to is the device's secret.
    Channel(
        "device",
        "the device's share menu",
        "Share menu",
        "referral",
        "Share…",
        "from your device's share menu",
        None,
        short="Share menu",
        listed=False,
    ),
    Channel(
        "leaflet", "a leaflet", "Leaflet", "print", None, None, None, public=False, short="Leaflet"
    ),
)
CHANNEL: dict[str, Channel] = {c.id: c for c in REGISTRY}
CHANNELS: tuple[str, ...] = tuple(CHANNEL)
# Channels anyone may make a link for; leaflet links are staff's leaflet batches.
PUBLIC_CHANNELS: tuple[str, ...] = tuple(c.id for c in REGISTRY if c.public)
# Public channels with a button of their own in lists (every one but the device's share sheet).
LISTED_CHANNELS: tuple[str, ...] = tuple(c for c in PUBLIC_CHANNELS if CHANNEL[c].listed)

# Parameters the redirect sets; a landing URL's own values for these are replaced.
TAG_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "ref")


def share_intent_url(channel: str, url: str, title: str) -> str:
    """The network's share-intent URL with the link and title filled in; else the link itself."""
    try:
        intent = CHANNEL[channel].intent
    except KeyError:
        raise ValueError(f"unknown channel {channel!r}") from None
    return intent(url, title) if intent else url


def tagged_landing_url(
    landing_url: str, *, channel: str, campaign_slug: str, promoter_code: str | None, token: str
) -> str:
    """The campaign's landing URL with UTM tags and ref added, its own query kept."""
    parts = urlsplit(landing_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in TAG_KEYS]
    query += [
        ("utm_source", channel),
        ("utm_medium", CHANNEL[channel].medium),
        ("utm_campaign", campaign_slug),
    ]
    if promoter_code:
        query.append(("utm_content", promoter_code))
    query.append(("ref", token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
