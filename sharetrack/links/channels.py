"""Channels: how each network's share dialog is opened, and the tagged landing URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..models import CHANNELS

MEDIUM = {
    "facebook": "social",
    "x": "social",
    "whatsapp": "social",
    "linkedin": "social",
    "bluesky": "social",
    "telegram": "social",
    "reddit": "social",
    "email": "email",
    "link": "referral",
    "leaflet": "print",
}
assert set(MEDIUM) == set(CHANNELS)

LABELS = {
    "facebook": "Facebook",
    "x": "X",
    "whatsapp": "WhatsApp",
    "linkedin": "LinkedIn",
    "bluesky": "Bluesky",
    "telegram": "Telegram",
    "reddit": "Reddit",
    "email": "email",
    "link": "a copied link",
    "leaflet": "a leaflet",
}

# What a promoter's button says, per channel a promoter can share on (not leaflets).
ACTIONS = {c: f"I'll share on {LABELS[c]}" for c in CHANNELS if c != "leaflet"} | {
    "email": "I'll share by email",
    "link": "I'll copy a link",
}

# Parameters the redirect sets; a landing URL's own values for these are replaced.
TAG_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "ref")


def share_intent_url(channel: str, url: str, title: str) -> str:
    """The network's current share-intent URL with the link (and a short text) filled in."""
    q = lambda s: quote(s, safe="")  # noqa: E731
    text = title
    match channel:
        case "facebook":
            return f"https://www.facebook.com/sharer/sharer.php?u={q(url)}"
        case "x":
            return f"https://x.com/intent/tweet?url={q(url)}&text={q(text)}"
        case "whatsapp":
            return f"https://wa.me/?text={q(text + ' ' + url)}"
        case "linkedin":
            return f"https://www.linkedin.com/sharing/share-offsite/?url={q(url)}"
        case "bluesky":
            return f"https://bsky.app/intent/compose?text={q(text + ' ' + url)}"
        case "telegram":
            return f"https://t.me/share/url?url={q(url)}&text={q(text)}"
        case "reddit":
            return f"https://www.reddit.com/submit?url={q(url)}&title={q(text)}"
        case "email":
            return f"mailto:?subject={q(text)}&body={q(text + chr(10) + chr(10) + url)}"
        case "link" | "leaflet":
            return url
    raise ValueError(f"unknown channel {channel!r}")


def tagged_landing_url(
    landing_url: str, *, channel: str, campaign_slug: str, promoter_code: str | None, token: str
) -> str:
    """The campaign's landing URL with UTM tags and ref added, its own query kept."""
    parts = urlsplit(landing_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in TAG_KEYS]
    query += [
        ("utm_source", channel),
        ("utm_medium", MEDIUM[channel]),
        ("utm_campaign", campaign_slug),
    ]
    if promoter_code:
        query.append(("utm_content", promoter_code))
    query.append(("ref", token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
