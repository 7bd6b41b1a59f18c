"""GET /healthz for load balancers and GET /metrics for Prometheus.

Both are read every few seconds by machines: neither is rate limited nor logs per call, and
neither touches the session, a cookie or a template.
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from ... import metrics, queue
from ...extensions import db
from ...ratelimit import limiter

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 when the database answers (within DB_CONNECT_TIMEOUT on PostgreSQL), else 503."""
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        body, status = {"status": "ok"}, 200
    except SQLAlchemyError:  # expected while the database is away: the status says it all
        body, status = {"status": "unavailable"}, 503
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
@limiter.exempt
def metrics_text():
    """Prometheus text, for `Authorization: Bearer SHARETRACK_METRICS_TOKEN` only."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)  # off unless configured: nothing about the service is public
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response(
            "A bearer token is required.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"'},
            mimetype="text/plain",
        )
    body, content_type = metrics.exposition()
    body += metrics.queue_exposition(_queue_depth())
    return Response(body, 200, {"Cache-Control": "no-store"}, content_type=content_type)


def _queue_depth() -> queue.Depth | None:
    try:
        return queue.depth(current_app._get_current_object())  # type: ignore[attr-defined]
    except Exception:  # the queue's storage away (Redis down): say so, answer
        db.session.rollback()
        return None
