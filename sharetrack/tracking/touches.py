"""The touch cookie: the visitor's recent arrivals through links, kept in their own browser.

Only (share id, time, window) triples, at most TOUCH_COOKIE_MAX, each dropped once its
campaign's attribution window has passed. The hosted pledge page reads it to credit shares.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "st_touch"
DAY = 86400


@dataclass(frozen=True)
class Touch:
    share_id: int
    at: int  # unix seconds
    window_days: int


def decode(serializer: URLSafeTimedSerializer, raw: str | None, now: int) -> list[Touch]:
    """The live touches in a cookie value; a tampered or malformed cookie holds none."""
    if not raw or len(raw) > 4096:
        return []
    try:
        data = serializer.loads(raw)
    except (BadSignature, UnicodeError, ValueError):
        return []
    touches = []
    if not isinstance(data, list):
        return []
    for item in data:
        if (
            isinstance(item, list)
            and len(item) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) for v in item)
        ):
            touch = Touch(*item)
            if now - touch.window_days * DAY <= touch.at <= now:
                touches.append(touch)
    return touches


def add(touches: list[Touch], touch: Touch, limit: int) -> list[Touch]:
    """Append a touch, keeping only the newest `limit`."""
    return [*touches, touch][-limit:]


def encode(serializer: URLSafeTimedSerializer, touches: list[Touch]) -> str:
    """The signed cookie value."""
    return serializer.dumps([[t.share_id, t.at, t.window_days] for t in touches])


def max_age(touches: list[Touch], now: int) -> int:
    """Seconds until the last touch's window closes: the cookie never outlives its touches."""
    return max((t.at + t.window_days * DAY - now for t in touches), default=0)
