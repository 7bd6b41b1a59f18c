"""What every input schema shares: strict objects and printable text."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Multi-line text keeps tabs and line breaks, and no other control character (nor NUL).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(value: str) -> bool:
    """Whether the text holds a control character."""
    return _CONTROL.search(value) is not None


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


class Strict(BaseModel):
    """Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def not_blank(value: str) -> str:
    """The text unchanged, unless it is empty."""
    if not value:
        raise ValueError("must not be blank")
    return value
