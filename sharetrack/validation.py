"""What every input schema shares: strict objects and printable text."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict

# Every id column is a BigInteger (bigint on PostgreSQL, SQLite's 64-bit INTEGER) counting from
# 1: a number outside this range names no row, and the drivers raise rather than find nothing.
MAX_ID = 2**63 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Multi-line text keeps tabs and line breaks, and no other control character (nor NUL).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(value: str) -> bool:
    """Whether the text holds a control character."""
    return _CONTROL.search(value) is not None


def is_id(value: int) -> bool:
    """Whether a number can be a row's id (1..MAX_ID); check before it reaches the database."""
    return 1 <= value <= MAX_ID


def printable(value: str) -> str:
    """The text unchanged, unless it holds control characters."""
    if has_control(value):
        raise ValueError("must not contain control characters")
    return value


def plain_text(value: str) -> str:
    """Multi-line text unchanged: tabs and line breaks, but no other control characters."""
    if _CONTROL_IN_TEXT.search(value):
        raise ValueError("must not contain control characters")
    return value


ISO_HINT = "must be an ISO 8601 time with an offset, like 2026-03-01T12:00:00Z"


def offset_time(value: object) -> dt.datetime:
    """ISO 8601 text with an offset, parsed (aware); each caller checks its own range.

    The standard library's parser rather than pydantic's datetime: an import checks a million.
    """
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError(ISO_HINT)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(ISO_HINT) from None
    if parsed.tzinfo is None:
        raise ValueError("must have an offset, like Z or +01:00")
    return parsed


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """An aware time as the naive UTC every timestamp column holds."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


class Strict(BaseModel):
    """Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def not_blank(value: str) -> str:
    """The text unchanged, unless it is empty."""
    if not value:
        raise ValueError("must not be blank")
    return value
