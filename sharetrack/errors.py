"""One error format: RFC 9457 problem details for the API, the site's pages for HTML."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from .campaigns.service import CampaignNotFound
from .extensions import db
from .services import services

log = logging.getLogger(__name__)
PROBLEM_TYPE = "https://sharetrack.invalid/problems/"
# What a 503 tells clients while the database is away: a PostgreSQL restart takes seconds.
RETRY_AFTER_SECONDS = 5


class Problem(Exception):
    """An API error with a status, a short title and optional per-field errors."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[dict] | None = None,
        slug: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail or title
        self.errors = errors or []
        self.slug = slug or title.lower().replace(" ", "-")
        self.headers = headers or {}


def problem_response(problem: Problem):
    """The JSON response for a Problem."""
    body = {
        "type": PROBLEM_TYPE + problem.slug,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "errors": problem.errors,
    }
    response = jsonify(body)
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    response.headers.update(problem.headers)
    return response


def field_errors(exc: ValidationError) -> list[dict]:
    """Pydantic's errors as [{"field", "message"}], the field named as in the JSON body."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in err["loc"] if p not in ("body",)]
        out.append({"field": ".".join(loc) or "body", "message": err["msg"]})
    return out


def invalid(errors: list[dict], detail: str = "The request has invalid fields.") -> Problem:
    """422 with per-field errors."""
    return Problem(422, "Invalid request", detail, errors, slug="invalid-request")


def _not_found_page() -> str:
    """The 404 page, rendered once per app: forged links are the cheapest request to refuse."""
    page = services().not_found_page
    if page is None:
        # Rendered for nobody in particular: this visitor's flashed messages must neither end
        # up in the page everyone gets nor be used up by it.
        with current_app.test_request_context("/"):
            page = render_template("errors/404.html")
        services().not_found_page = page
    return page


def _rollback() -> None:
    """Undo a failed request's writes; a request that never used the session has none."""
    if db.session.registry.has():
        db.session.rollback()


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def _end_session(_exc):
    """Close the request's session, discarding a connection the database dropped."""
    # Ending the session rolls back its connection; if the database dropped that
    # connection meanwhile (a restart), the rollback fails after the answer was made, which
    # would turn it into a 500. Such a connection is discarded instead; the pool makes a
    # new one (pool_pre_ping) on the next request.
    try:
        db.session.remove()
    except sa_exc.SQLAlchemyError as exc:
        log.warning("database connection lost while ending a request: %s", exc)
        db.session.registry().invalidate()
        db.session.remove()


def _problem(exc: Problem):
    _rollback()
    return problem_response(exc)


def _unknown_campaign(exc: CampaignNotFound):
    _rollback()
    if _wants_problem():
        return problem_response(
            Problem(
                404, "Not Found", f"There is no campaign {exc.slug!r}.", slug="unknown-campaign"
            )
        )
    return _not_found_page(), 404


def _validation(exc: ValidationError):
    _rollback()
    return problem_response(invalid(field_errors(exc)))


def _csrf(exc: CSRFError):
    _rollback()
    detail = (
        "This form expired or was not sent from this site's page. "
        "Go back, reload the page and send it again."
    )
    return render_template(
        "errors/error.html", status=400, title="Form expired", detail=detail
    ), 400


def _http(exc: HTTPException):
    _rollback()
    status = exc.code or 500
    if _wants_problem():
        problem = Problem(
            status, exc.name, exc.description, slug=exc.name.lower().replace(" ", "-")
        )
        response = problem_response(problem)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response
    if status == 404:
        return _not_found_page(), 404
    return render_template("errors/error.html", status=status, title=exc.name), status


def _database_unavailable(exc: Exception):
    # The database is down, restarting, unreachable or timed out (connect and statement
    # timeouts, config.engine_options): say so at once and when to retry; no hang, no 500.
    # pool_pre_ping replaces dead connections, so the service recovers by itself.
    try:
        _rollback()
    except sa_exc.SQLAlchemyError:
        db.session.remove()
    log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_problem():
        return problem_response(
            Problem(
                503,
                "Service Unavailable",
                "The database is not answering; try again shortly.",
                slug="database-unavailable",
                headers=headers,
            )
        )
    page = render_template(
        "errors/error.html",
        status=503,
        title="Back in a moment",
        detail="We cannot reach our database right now. Please try again in a few seconds.",
    )
    return page, 503, headers


def _unexpected(exc: Exception):
    _rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    if _wants_problem():
        return problem_response(
            Problem(500, "Internal Server Error", "Something broke on our side.")
        )
    return render_template("errors/error.html", status=500, title="Something broke"), 500


def register_error_handlers(app: Flask) -> None:
    """Every error, for every route, goes through here."""
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last registered first).
    app.teardown_appcontext(_end_session)
    app.register_error_handler(Problem, _problem)
    app.register_error_handler(CampaignNotFound, _unknown_campaign)
    app.register_error_handler(ValidationError, _validation)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    for unavailable in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.register_error_handler(unavailable, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
