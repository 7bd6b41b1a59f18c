"""Webhook signatures, as Stripe signs its webhooks.

`Sharetrack-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. Several v1
values may be sent while the platform rotates its secret; any one matching any of our secrets
(the current one or an older one still accepted) verifies. A timestamp more than five minutes
from now is refused, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

HEADER = "Sharetrack-Signature"
TOLERANCE_SECONDS = 300
MAX_HEADER_LENGTH = 2048


class SignatureError(Exception):
    """The delivery is not signed by a secret we hold, or not recently."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex v1 signature of a body sent at `timestamp`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secrets: str | Sequence[str], timestamp: int, body: bytes) -> str:
    """The header value a sender puts on `body`: one v1 per secret."""
    secrets = [secrets] if isinstance(secrets, str) else list(secrets)
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in secrets)])


def parse(header: str) -> tuple[int, list[str]]:
    """(timestamp, v1 signatures) from a header value; SignatureError if malformed."""
    if len(header) > MAX_HEADER_LENGTH:
        raise SignatureError("The signature header is too long.")
    timestamps, found = [], []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureError("The signature header must be 't=<seconds>,v1=<hex>'.")
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            found.append(value.lower())
        # Other schemes (v0, future versions) are ignored, as Stripe does.
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise SignatureError("The signature header needs exactly one t=<unix seconds>.")
    if len(timestamps[0]) > 12:
        raise SignatureError("The signature timestamp is out of range.")
    if not found:
        raise SignatureError("The signature header has no v1 signature.")
    return int(timestamps[0]), found


def verify(
    header: str | None,
    body: bytes,
    secrets: Sequence[str],
    now: int,
    tolerance: int = TOLERANCE_SECONDS,
) -> int:
    """Check a delivery; returns its timestamp or raises SignatureError saying why."""
    if not secrets:
        raise SignatureError("This server has no webhook secret configured.")
    if not header:
        raise SignatureError(f"The {HEADER} header is missing.")
    timestamp, sent = parse(header)
    expected = [signature(secret, timestamp, body).encode() for secret in secrets]
    # Compare every pair, so the time taken does not depend on which one matched.
    matched = False
    for candidate in sent:
        for good in expected:
            matched |= hmac.compare_digest(candidate.encode("utf-8", "replace"), good)
    if not matched:
        raise SignatureError("No v1 signature matches this body with a secret we hold.")
    check_time(timestamp, now, tolerance)
    return timestamp


def check_time(timestamp: int, now: int, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Refuse a signature made more than `tolerance` seconds before now, or after it: an old
    one is a replay, and one from the future would stay replayable for longer than allowed."""
    if abs(now - timestamp) > tolerance:
        raise SignatureError(
            f"The signature's timestamp is more than {tolerance} s from now; "
            "send the delivery again with a fresh signature."
        )
