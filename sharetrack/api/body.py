"""Reading a JSON body into a schema, with problem details for every way it can be wrong."""

from __future__ import annotations

from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from .. import inputs
from ..errors import Problem, field_errors, invalid

M = TypeVar("M", bound=BaseModel)


def parse(schema: type[M]) -> M:
    """The request's JSON object validated against `schema`; raises Problem otherwise."""
    if not request.is_json:
        raise Problem(415, "Unsupported Media Type", "Send the body as application/json.")
    try:
        data = inputs.loads(request.get_data(cache=True))
    except inputs.InputError as exc:
        if exc.field is not None:  # a NUL in a field: named, like any other field error
            raise invalid([{"field": exc.field, "message": "must not contain NUL"}]) from None
        raise Problem(400, "Bad Request", str(exc), slug="invalid-json") from None
    except ValueError:  # not JSON, or not UTF-8
        raise Problem(
            400, "Bad Request", "The body is not valid JSON.", slug="invalid-json"
        ) from None
    if not isinstance(data, dict):
        raise invalid([{"field": "body", "message": "must be a JSON object"}])
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise invalid(field_errors(exc)) from None
