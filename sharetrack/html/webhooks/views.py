"""Staff pages for outbound webhooks (admins): endpoints, secrets shown once, the log, Resend.

CSRF tokens are checked before any view (CSRFProtect): a form without one never gets here.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from wtforms import SelectMultipleField, StringField

from ...auth.staff import admin_required, require_sign_in
from ...extensions import db
from ...inputs import FieldsForm
from ...models import MAX_WEBHOOK_URL, WEBHOOK_EVENTS, WebhookEndpoint
from ...webhooks import endpoints

bp = Blueprint("webhooks", __name__, url_prefix="/staff/webhooks")
bp.before_request(require_sign_in)


class EndpointForm(FieldsForm):
    """A new endpoint: where, and which events."""

    url = StringField("URL", description="https://, public addresses only; it gets a POST")
    events = SelectMultipleField(
        "Events",
        choices=list(WEBHOOK_EVENTS),
        description="The events it takes",
        validate_choice=False,
    )


def _page(form: EndpointForm, status: int = 200, secret: str | None = None, shown=None):
    rows = endpoints.all_endpoints(db.session)
    page = render_template(
        "staff/webhooks.html",
        form=form,
        endpoints=rows,
        secret=secret,
        shown=shown,
        max_url=MAX_WEBHOOK_URL,
    )
    return page, status


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints.get(db.session, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    """Every endpoint; the form registers one and shows its secret once."""
    form = EndpointForm()
    if not form.is_submitted():
        return _page(form)
    rules = endpoints.rules_from(current_app.config, current_app.debug)
    try:
        endpoint, secret = endpoints.create(
            db.session, (form.url.data or "").strip(), form.events.data or (), rules
        )
    except endpoints.EndpointRefused as exc:
        getattr(form, exc.field).errors = [exc.message[0].upper() + exc.message[1:] + "."]
        return _page(form, 422)
    db.session.commit()
    return _page(EndpointForm(formdata=None), 201, secret, endpoint)


@bp.post("/<int:endpoint_id>/rotate")
@admin_required
def rotate(endpoint_id: int):
    """A new secret, shown once; the old one signs beside it for a day."""
    endpoint = _endpoint_or_404(endpoint_id)
    secret = endpoints.rotate(endpoint)
    db.session.commit()
    return _page(EndpointForm(formdata=None), 200, secret, endpoint)


@bp.post("/<int:endpoint_id>/enable")
@admin_required
def enable(endpoint_id: int):
    """Turn a disabled endpoint back on."""
    endpoints.enable(_endpoint_or_404(endpoint_id))
    db.session.commit()
    flash("The endpoint is enabled again.")
    return redirect(url_for("webhooks.index"), 303)


@bp.post("/<int:endpoint_id>/delete")
@admin_required
def delete(endpoint_id: int):
    """Delete an endpoint and its log."""
    endpoints.remove(db.session, _endpoint_or_404(endpoint_id))
    db.session.commit()
    flash("The endpoint is deleted.")
    return redirect(url_for("webhooks.index"), 303)


@bp.get("/<int:endpoint_id>")
@admin_required
def log(endpoint_id: int):
    """The endpoint's delivery log: time, event, status, the answer's first 1 KB; Resend."""
    endpoint = _endpoint_or_404(endpoint_id)
    rows = endpoints.log(db.session, endpoint.id)
    return render_template("staff/webhook_log.html", endpoint=endpoint, deliveries=rows)


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
@admin_required
def resend(endpoint_id: int, delivery_id: int):
    """Queue a delivery again (same webhook-id); the next run sends it."""
    endpoint = _endpoint_or_404(endpoint_id)
    if endpoints.resend(db.session, endpoint, delivery_id) is None:
        abort(404)
    db.session.commit()
    flash("The delivery will be sent again at the next run.")
    return redirect(url_for("webhooks.log", endpoint_id=endpoint.id), 303)
