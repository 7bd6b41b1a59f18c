"""Limits every request's input must meet before any view reads it, so none can cause a 500.

- JSON: at most MAX_JSON_DEPTH levels of nesting, and no NUL in any string (PostgreSQL cannot
  store one, SQLite would). The API's bodies and the import's lines are read through `loads`.
- The URL path: no control characters (a 404). Every `<int:...>` in a route is a row id
  (`IdConverter`): a number no row can have (0, or beyond 64 bits) matches no route, a 404.
  Query parameters and form fields are checked by their views and forms, which name the field
  they refuse (dates in a range, no NUL).
- HTML forms read the posted form fields only (`FieldsForm`): never a JSON body or an uploaded
  file, whose values are not text and would reach validators that expect text.
"""

from __future__ import annotations

import json
import re

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from .validation import MAX_ID

MAX_JSON_DEPTH = 32
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InputError(ValueError):
    """Input no field could accept: too deeply nested, or (in `field`) a NUL character."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def loads(text: str | bytes) -> object:
    """Parse JSON, refusing more than MAX_JSON_DEPTH levels of nesting and NUL in strings."""
    try:
        data = json.loads(text)
    except RecursionError:  # thousands of levels: the parser's own stack gave up
        raise InputError(too_deep()) from None
    check(data)
    return data


def too_deep() -> str:
    """The message for a document nested too deeply."""
    return f"JSON nested more than {MAX_JSON_DEPTH} levels deep is refused."


def check(data: object) -> None:
    """Raise InputError if `data` (parsed JSON) is nested too deeply or holds a NUL."""
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict | list) and len(path) >= MAX_JSON_DEPTH:
            raise InputError(too_deep())
        if isinstance(item, dict):
            stack.extend((key, (*path, key)) for key in item)
            stack.extend((value, (*path, key)) for key, value in item.items())
        elif isinstance(item, list):
            stack.extend((value, (*path, i)) for i, value in enumerate(item))
        elif isinstance(item, str) and "\x00" in item:
            field = ".".join(str(p) for p in path) or "body"
            raise InputError(f"{field}: must not contain a NUL character (\\u0000)", field)


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with `loads` limited as above (request.get_json uses it)."""

    def loads(self, s: str | bytes, **kwargs) -> object:
        return loads(s)


class IdConverter(IntegerConverter):
    """`<int:...>`: a row id, 1..MAX_ID (a rule may narrow it). Any other number matches no
    route (a 404), rather than reaching the database, whose driver raises on it (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # werkzeug's names
        low = 1 if min is None or min < 1 else min
        high = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits, low, high)


def init_app(app: Flask) -> None:
    """Read JSON with the limits; refuse control characters in paths; ids in range."""
    sort_keys = app.json.sort_keys  # type: ignore[attr-defined]
    app.json = LimitedJSONProvider(app)
    app.json.sort_keys = sort_keys  # type: ignore[attr-defined]
    # Before any blueprint is registered: every rule's <int:...> is then an IdConverter.
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_control_characters)


def _refuse_control_characters() -> None:
    # Query parameters are each checked by their view, which names the field it refuses.
    if _CONTROL.search(request.path):  # no resource has such a name
        raise NotFound()


class FieldsForm(FlaskForm):
    """A FlaskForm that, when posted, reads `request.form` and nothing else.

    Flask-WTF on its own also reads a JSON body or uploaded files into the fields, so a field
    could hold a number, a list or a file, and a text validator would raise on it (a 500).
    Here a JSON body or a file simply leaves the fields empty, and the form says which it needs
    (a 4xx). A form built for display passes `formdata=None` as before.
    """

    def __init__(self, *args, **kwargs):
        if not args and "formdata" not in kwargs and request.method in _SUBMIT_METHODS:
            kwargs["formdata"] = request.form
        super().__init__(*args, **kwargs)


_SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
