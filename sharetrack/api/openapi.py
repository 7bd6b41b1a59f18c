"""The OpenAPI 3.1 contract of /api/v1, assembled from what each view declares about itself.

A view declares its operation once, beside its route:

    @bp.post("/campaigns")
    @operation("Create a campaign", body=CampaignCreate, scope="write",
               responses={201: Reply("The new campaign", Campaign, headers=("Location",))})
    def create_campaign(): ...

`scope` is the one place a route says which API key may call it: the operation checks the key
(api/auth.py require_scope: 401, 403 naming the scope, 404 for a campaign outside a limited
key's list) before the view runs, and the contract documents it. A route without one is public.

The document is then built from the app's URL map, so paths and path parameters are named as
the routes name them (`/api/v1/campaigns/{slug}`). Errors every such view can give follow from
what it declares: `body` adds 400/413/415/422, `scope` 401 and 403, `limited` 429, `database`
(on unless turned off) 503; `errors` adds others.
Request bodies and responses come from the pydantic models' JSON Schemas.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import wraps

from flask import Flask, Response, current_app
from pydantic import BaseModel

from ..auth.api_keys import SCOPE_MEANING
from ..services import services
from ..validation import MAX_ID
from . import bp
from .auth import require_scope
from .responses import Documented, ProblemDetails

log = logging.getLogger(__name__)
OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "staffKey"
REF = "#/components/schemas/{model}"
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")

ERRORS = {
    400: "The body is not valid JSON",
    401: "No live staff API key was sent",
    403: "The API key lacks the operation's scope (slug missing-scope; the detail names the scope)",
    404: "No such resource",
    409: "The request conflicts with the resource's state",
    413: "The body is too large",
    415: "The body is not application/json",
    422: "Invalid fields; `errors` names each one",
    429: "Too many requests from this client; retry after `Retry-After` seconds",
    503: "The database is not answering (retry after `Retry-After` seconds), or the operation "
    "needs email and no mail server is configured (slug mail-not-configured)",
}
HEADERS = {
    "ETag": {"description": "A strong validator of the body", "schema": {"type": "string"}},
    "Cache-Control": {
        "description": "How long the body may be reused",
        "schema": {"type": "string"},
    },
    "Location": {"description": "The new resource", "schema": {"type": "string"}},
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "WWW-Authenticate": {"description": "How to authenticate", "schema": {"type": "string"}},
}
ERROR_HEADERS = {401: ("WWW-Authenticate",), 429: ("Retry-After",), 503: ("Retry-After",)}


@dataclass(frozen=True)
class Reply:
    """One documented response: a description, its body's model or JSON Schema (None: no
    body) and media type, and the headers it always carries (names from HEADERS)."""

    description: str
    schema: type[BaseModel] | dict | None = None
    headers: tuple[str, ...] = ()
    media_type: str = "application/json"
    # Other forms of the same response, {media type: JSON Schema} (a report's CSV, say).
    alternatives: tuple[tuple[str, dict], ...] = ()


@dataclass(frozen=True)
class Operation:
    """What a view declares about itself for the contract."""

    summary: str
    responses: dict[int, Reply]
    body: type[BaseModel] | None = None
    # The API key scope the route needs (auth.api_keys.SCOPE_MEANING); None: public.
    scope: str | None = None
    limited: bool = False
    errors: tuple[int, ...] = ()
    # JSON Schemas for path parameters by name (default: a non-empty string, or an integer).
    params: dict[str, dict] = field(default_factory=dict)
    # Other parameters as OpenAPI parameter objects (query strings, a webhook's signature header).
    parameters: tuple[dict, ...] = ()
    tags: tuple[str, ...] = ()
    # Reads the database, so answers 503 while it is down (sharetrack/errors.py).
    database: bool = True

    @property
    def auth(self) -> bool:
        """Whether a staff API key is needed."""
        return self.scope is not None

    def error_statuses(self) -> list[int]:
        """Every error status this operation can answer with."""
        statuses = set(self.errors)
        if self.body is not None:
            statuses |= {400, 413, 415, 422}
        if self.auth:
            statuses |= {401, 403}
        if self.limited:
            statuses.add(429)
        if self.database:
            statuses.add(503)
        return sorted(statuses)


class ContractDrift(RuntimeError):
    """A view answered with a JSON body not built by its documented response model."""


def operation(summary: str, *, responses: dict[int, Reply], **details):
    """Decorator: declare the view's operation (see Operation for the fields).

    The view answers with its documented model, which conform writes out.
    """

    def declare(view):
        declared = Operation(summary, responses, **details)
        if declared.scope is not None:
            if declared.scope not in SCOPE_MEANING:
                raise ValueError(f"{summary!r} declares an unknown scope {declared.scope!r}")
            view = require_scope(declared.scope)(view)

        @wraps(view)
        def answer(*args, **kwargs):
            return conform(declared, view(*args, **kwargs))

        answer.openapi = declared  # type: ignore[attr-defined]
        return answer

    return declare


def json_response(body: Documented, status: int = 200) -> Response:
    """The model written out as the JSON answer (for a view that sets a status or headers)."""
    response = current_app.response_class(
        body.model_dump_json(by_alias=True), status=status, mimetype="application/json"
    )
    response.built_from = type(body)  # type: ignore[attr-defined]
    return response


def conform(declared: Operation, answer):
    """The answer, written out by its documented model.

    A view answers with the model declared for its status (or json_response(model, status)):
    the model is the only shape of the answer, so nothing is matched afterwards. A JSON body
    built any other way, or by another model, is a bug of ours, not the client's: tests and
    debug runs fail loudly; in production it is logged and the answer still goes out.
    """
    if isinstance(answer, Documented):
        answer = json_response(answer)
    if isinstance(answer, dict):
        status, built_from = 200, dict
    elif isinstance(answer, current_app.response_class) and answer.is_json:
        status, built_from = answer.status_code, getattr(answer, "built_from", dict)
    else:
        return answer  # no body (204, 304) or not JSON (CSV)
    reply = declared.responses.get(status)
    model = reply.schema if reply is not None else None
    if reply is None or (
        isinstance(model, type) and issubclass(model, BaseModel) and built_from is not model
    ):
        built = "a bare dict" if built_from is dict else built_from.__name__
        wanted = "an undocumented status" if reply is None else model.__name__
        message = f"{declared.summary!r} answered {status} with {built}, not {wanted}"
        if current_app.testing or current_app.debug:
            raise ContractDrift(message)
        log.error(message)
    return answer


def openapi_path(rule: str) -> tuple[str, list[tuple[str, str | None]]]:
    """A Flask rule as an OpenAPI path, with its (parameter, converter) pairs."""
    arguments = [(m["name"], m["converter"]) for m in _ARGUMENT.finditer(rule)]
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule), arguments


def _parameter(name: str, converter: str | None, override: dict | None) -> dict:
    if override is not None:
        schema = override
    elif converter == "int":  # inputs.IdConverter: a row id
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    else:
        schema = {"type": "string", "minLength": 1}
    return {"name": name, "in": "path", "required": True, "schema": schema}


class _Schemas:
    """components/schemas, filled from pydantic models as operations refer to them."""

    def __init__(self) -> None:
        self.components: dict[str, dict] = {}

    def ref(self, model: type[BaseModel] | dict, mode: str) -> dict:
        if isinstance(model, dict):
            return model
        schema = model.model_json_schema(ref_template=REF, mode=mode)
        self.components.update(schema.pop("$defs", {}))
        self.components[model.__name__] = schema
        return {"$ref": REF.format(model=model.__name__)}


def _responses(op: Operation, schemas: _Schemas) -> dict:
    out = {}
    for status, reply in sorted(op.responses.items()):
        response: dict = {"description": reply.description}
        if reply.schema is not None:
            response["content"] = {
                reply.media_type: {"schema": schemas.ref(reply.schema, "serialization")}
            }
            for media_type, schema in reply.alternatives:
                response["content"][media_type] = {"schema": schema}
        if reply.headers:
            response["headers"] = {
                name: {**HEADERS[name], "required": True} for name in reply.headers
            }
        out[str(status)] = response
    problem = schemas.ref(ProblemDetails, "serialization")
    for status in op.error_statuses():
        response = {
            "description": ERRORS[status],
            "content": {"application/problem+json": {"schema": problem}},
        }
        if status in ERROR_HEADERS:
            response["headers"] = {
                name: {**HEADERS[name], "required": True} for name in ERROR_HEADERS[status]
            }
        out[str(status)] = response
    return out


def document(app: Flask) -> dict:
    """The OpenAPI document of every /api/ route of `app` that declares its operation."""
    schemas = _Schemas()
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        op: Operation | None = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if not rule.rule.startswith("/api/") or op is None:
            continue
        path, arguments = openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            spec: dict = {
                "operationId": rule.endpoint.rpartition(".")[2],
                "summary": op.summary,
                "responses": _responses(op, schemas),
            }
            if op.tags:
                spec["tags"] = list(op.tags)
            parameters = [
                _parameter(name, converter, op.params.get(name)) for name, converter in arguments
            ] + list(op.parameters)
            if parameters:
                spec["parameters"] = parameters
            if op.body is not None:
                spec["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": schemas.ref(op.body, "validation")}},
                }
            if op.scope is not None:
                # OpenAPI 3.1 lets a non-OAuth requirement list role names: the key's scope.
                spec["security"] = [{SECURITY_SCHEME: [op.scope]}]
                spec["x-scope"] = op.scope
                spec["description"] = f"Needs an API key with the scope `{op.scope}`."
            paths.setdefault(path, {})[method.lower()] = spec
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "sharetrack API",
            "version": "1",
            "description": "Errors are RFC 9457 problem details (application/problem+json).",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A staff API key: flask --app sharetrack create-api-key NAME. "
                    "Each operation names the scope it needs: "
                    + "; ".join(f"`{k}`: {v}" for k, v in SCOPE_MEANING.items()),
                }
            },
        },
    }


@bp.get("/openapi.json")
@operation(
    "This document",
    responses={200: Reply("The OpenAPI 3.1 document", {"type": "object"})},
    tags=("meta",),
    database=False,
)
def openapi_json():
    """The API contract."""
    built = services()
    if built.openapi_document is None:
        built.openapi_document = document(current_app)
    return built.openapi_document
