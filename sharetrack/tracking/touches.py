"""The touch cookie: the visitor's recent arrivals through links, kept in their own browser.

Only (share id, time, window) triples, at most TOUCH_COOKIE_MAX, each dropped once its
campaign's attribution window has passed. The hosted pledge page reads it to credit shares.

The value is compact and cheap to make, since every counted click sets it: each touch as three
base32 numbers `id-time-window`, joined by `_`, then `.` and an 80-bit HMAC-SHA256 under the
touch-cookie salt (signing.py ShortSigner, its keys derived once). For example
`1k-1nmb7c8-y_2a-1nmb7d0-y.<16 characters>`; ten touches fit in ~200 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, Signer

from ..signing import b32decode_int, b32encode_int

COOKIE_NAME = "st_touch"
DAY = 86400


@dataclass(frozen=True)
class Arrival:
    """One arrival through a share link, as the cookie keeps it (not a pledge's stored touch)."""

    share_id: int
    at: int  # unix seconds
    window_days: int


def decode(signer: Signer, raw: str | None, now: int) -> list[Arrival]:
    """The live touches in a cookie value; a tampered or malformed cookie holds none."""
    if not raw or len(raw) > 4096 or not raw.isascii():
        return []
    try:
        payload = signer.unsign(raw).decode("ascii")
        items = [tuple(map(b32decode_int, item.split("-"))) for item in payload.split("_")]
    except (BadSignature, KeyError, TypeError, ValueError):
        return []
    touches = []
    for item in items:
        if len(item) != 3:
            return []
        touch = Arrival(*item)
        if now - touch.window_days * DAY <= touch.at <= now:
            touches.append(touch)
    return touches


def add(touches: list[Arrival], touch: Arrival, limit: int) -> list[Arrival]:
    """Append a touch, keeping only the newest `limit`."""
    return [*touches, touch][-limit:]


def encode(signer: Signer, touches: list[Arrival]) -> str:
    """The signed cookie value."""
    payload = "_".join(
        f"{b32encode_int(t.share_id)}-{b32encode_int(t.at)}-{b32encode_int(t.window_days)}"
        for t in touches
    )
    return signer.sign(payload).decode("ascii")


def max_age(touches: list[Arrival], now: int) -> int:
    """Seconds until the last touch's window closes: the cookie never outlives its touches."""
    return max((t.at + t.window_days * DAY - now for t in touches), default=0)
