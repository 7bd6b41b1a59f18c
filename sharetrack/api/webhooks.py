"""Staff API: outbound webhook endpoints (admin scope): register, rotate, log, resend."""

from __future__ import annotations

from flask import current_app

from ..errors import Problem, invalid
from ..extensions import db
from ..models import WebhookEndpoint
from ..webhooks import endpoints
from ..webhooks.schemas import EndpointCreate
from . import bp
from .body import parse
from .openapi import Reply, json_response, operation
from .responses import (
    WebhookDeliveryList,
    WebhookDeliveryOut,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookSecret,
)

TAGS = ("webhooks",)


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints.get(db.session, endpoint_id)
    if endpoint is None:
        raise Problem(
            404, "Not Found", "There is no such webhook endpoint.", slug="unknown-webhook"
        )
    return endpoint


@bp.get("/webhook-endpoints")
@operation(
    "Every outbound webhook endpoint (never its secret)",
    responses={200: Reply("The endpoints", WebhookEndpointList)},
    scope="admin",
    tags=TAGS,
)
def list_webhook_endpoints():
    """Every endpoint."""
    rows = endpoints.all_endpoints(db.session)
    return WebhookEndpointList(endpoints=[WebhookEndpointOut.from_endpoint(r) for r in rows])


@bp.post("/webhook-endpoints")
@operation(
    "Register a webhook endpoint: its URL, its events; the secret is shown this once",
    body=EndpointCreate,
    responses={201: Reply("The endpoint and its signing secret", WebhookSecret)},
    scope="admin",
    tags=TAGS,
)
def create_webhook_endpoint():
    """A new endpoint; 422 for a URL or event it may not take."""
    body = parse(EndpointCreate)
    rules = endpoints.rules_from(current_app.config, current_app.debug)
    try:
        endpoint, secret = endpoints.create(db.session, body.url, body.events, rules)
    except endpoints.EndpointRefused as exc:
        raise invalid([{"field": exc.field, "message": exc.message}]) from None
    db.session.commit()
    out = WebhookSecret(endpoint=WebhookEndpointOut.from_endpoint(endpoint), secret=secret)
    return json_response(out, 201)


@bp.post("/webhook-endpoints/<int:endpoint_id>/rotate-secret")
@operation(
    "A new signing secret; the old one also signs for 24 hours",
    responses={200: Reply("The endpoint and its new secret", WebhookSecret)},
    scope="admin",
    errors=(404,),
    tags=TAGS,
)
def rotate_webhook_secret(endpoint_id: int):
    """Rotate the endpoint's secret."""
    endpoint = _endpoint(endpoint_id)
    secret = endpoints.rotate(endpoint)
    db.session.commit()
    return WebhookSecret(endpoint=WebhookEndpointOut.from_endpoint(endpoint), secret=secret)


@bp.post("/webhook-endpoints/<int:endpoint_id>/enable")
@operation(
    "Enable an endpoint again (after it was disabled for failing)",
    responses={200: Reply("The endpoint", WebhookEndpointOut)},
    scope="admin",
    errors=(404,),
    tags=TAGS,
)
def enable_webhook_endpoint(endpoint_id: int):
    """Turn the endpoint back on."""
    endpoint = _endpoint(endpoint_id)
    endpoints.enable(endpoint)
    db.session.commit()
    return WebhookEndpointOut.from_endpoint(endpoint)


@bp.delete("/webhook-endpoints/<int:endpoint_id>")
@operation(
    "Delete an endpoint and its delivery log",
    responses={204: Reply("Deleted")},
    scope="admin",
    errors=(404,),
    tags=TAGS,
)
def delete_webhook_endpoint(endpoint_id: int):
    """Delete the endpoint."""
    endpoints.remove(db.session, _endpoint(endpoint_id))
    db.session.commit()
    return "", 204


@bp.get("/webhook-endpoints/<int:endpoint_id>/deliveries")
@operation(
    "The endpoint's latest 50 deliveries, newest first",
    responses={200: Reply("The delivery log", WebhookDeliveryList)},
    scope="admin",
    errors=(404,),
    tags=TAGS,
)
def list_webhook_deliveries(endpoint_id: int):
    """The endpoint's delivery log."""
    rows = endpoints.log(db.session, _endpoint(endpoint_id).id)
    return WebhookDeliveryList(deliveries=[WebhookDeliveryOut.from_delivery(r) for r in rows])


@bp.post("/webhook-endpoints/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
@operation(
    "Send a delivery again at the next run, with the same webhook-id",
    responses={200: Reply("The delivery, pending", WebhookDeliveryOut)},
    scope="admin",
    errors=(404,),
    tags=TAGS,
)
def resend_webhook_delivery(endpoint_id: int, delivery_id: int):
    """Queue the delivery again."""
    delivery = endpoints.resend(db.session, _endpoint(endpoint_id), delivery_id)
    if delivery is None:
        raise Problem(
            404, "Not Found", "This endpoint has no such delivery.", slug="unknown-delivery"
        )
    db.session.commit()
    return WebhookDeliveryOut.from_delivery(delivery)
