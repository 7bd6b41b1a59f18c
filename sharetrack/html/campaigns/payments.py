"""The staff upload of a payments export (CSV) on the report page: preview, or import.

Admins only. The form is CSRF-protected like every staff form. The file is read as a stream
(imports/payments.py); a preview runs the whole import and rolls it back, so it shows what an
import would store, and every problem by line, with nothing stored.
"""

from __future__ import annotations

import io

from flask import Blueprint, render_template, request
from flask_login import current_user
from wtforms import RadioField, SelectChoice, SelectField, StringField

from ...auth.staff import admin_required, require_sign_in
from ...campaigns import service
from ...extensions import db
from ...imports import payments, presets
from ...inputs import FieldsForm
from ...services import services

bp = Blueprint("payments", __name__, url_prefix="/staff")
bp.before_request(require_sign_in)

# An export of a year of payments is tens of megabytes; the app's other forms stay at 64 KiB.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
CUSTOM = "custom"


@bp.url_value_preprocessor
def _allow_large_upload(endpoint, _values):
    """The upload's own size limit. Set here because CSRF protection reads the form in a
    before_request hook, which runs after URL value preprocessors and before the view. Only a
    signed-in admin gets it: anyone else is held to the app's 64 KiB before being turned away."""
    if endpoint == "payments.upload" and getattr(current_user, "is_admin", False):
        request.max_content_length = MAX_UPLOAD_BYTES


class PaymentsForm(FieldsForm):
    """Which platform's export, or the columns by hand; then preview or import."""

    preset = SelectField(
        "Export from",
        choices=[
            *(SelectChoice(name, name.title()) for name in presets.PRESETS),
            SelectChoice(CUSTOM, "Other (name the columns)"),
        ],
    )
    columns = StringField(
        "Columns (for Other, or to change the preset's)",
        description="e.g. id=Order,date=Paid at,amount=Total,currency=Currency,ref=Ref",
    )
    action = RadioField(
        "Then",
        choices=[SelectChoice("preview", "Preview only"), SelectChoice("import", "Import")],
        default="preview",
    )


@bp.get("/campaigns/<slug>/payments")
@admin_required
def form(slug: str):
    campaign = service.get_campaign_or_404(db.session, slug)
    return render_template("campaigns/payments.html", campaign=campaign, form=PaymentsForm())


@bp.post("/campaigns/<slug>/payments")
@admin_required
def upload(slug: str):
    """Preview or import the uploaded export; nothing is stored unless every row is good."""
    campaign = service.get_campaign_or_404(db.session, slug)
    form_ = PaymentsForm()
    page = {"campaign": campaign, "form": form_, "file_error": None}
    if not form_.validate_on_submit():
        return render_template("campaigns/payments.html", **page), 422
    upload_ = request.files.get("file")
    if upload_ is None or not upload_.filename:
        page["file_error"] = "Choose the CSV file your platform exported."
        return render_template("campaigns/payments.html", **page), 422
    try:
        preset = None if form_.preset.data == CUSTOM else form_.preset.data
        mapping = presets.mapping_for(preset, form_.columns.data or None)
    except presets.MappingError as exc:
        form_.columns.errors = [str(exc).capitalize() + "."]
        return render_template("campaigns/payments.html", **page), 422
    with io.TextIOWrapper(upload_.stream, encoding="utf-8-sig", newline="") as text:
        outcome = payments.import_payments(db.session, campaign, text, mapping, services().tokens)
    stored = not outcome.errors and form_.action.data == "import"
    if stored:
        db.session.commit()
    else:
        db.session.rollback()
    status = 422 if outcome.errors else 200
    return render_template(
        "campaigns/payments.html", **page, outcome=outcome, stored=stored
    ), status
