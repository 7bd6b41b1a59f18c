"""The redirect's paths, written once: the Flask views register these rules, and the middleware
in front of Flask (links/middleware.py) matches the very same ones.

tests/links/test_paths.py checks over generated paths that the middleware takes exactly the
paths Flask's URL map sends to the redirect's views, with the same token.
"""

from __future__ import annotations

import re

# (Flask rule, counted as a scan). A printed QR code carries /S/<TOKEN>/Q (leaflets/qr.py).
RULES = (
    ("/s/<token>", False),
    ("/S/<token>", False),
    ("/s/<token>/q", True),
    ("/S/<token>/Q", True),
)
# werkzeug's default converter (`<token>` is `<string:token>`): one or more characters but "/".
_TOKEN = re.escape("<token>")
_CONVERTER = "([^/]+)"
# One alternative per rule, each with one group: the group that matched names the rule. Like
# werkzeug's matcher, any number of leading slashes (a path of "//s/<token>" is routed).
PATTERN = re.compile(
    "/+(?:"
    + "|".join(re.escape(rule.removeprefix("/")).replace(_TOKEN, _CONVERTER) for rule, _ in RULES)
    + ")"
)
SCAN = tuple(scan for _, scan in RULES)


def endpoint(scan: bool) -> str:
    """The view's name (in the `links` blueprint) for a click, or a scan."""
    return "follow_scan" if scan else "follow"


def match(path: str) -> tuple[str, bool] | None:
    """(token, scan) when `path` is one of the redirect's, else None."""
    found = PATTERN.fullmatch(path)  # fullmatch: no trailing newline either
    if found is None:
        return None
    rule = found.lastindex or 0
    return found.group(rule), SCAN[rule - 1]
