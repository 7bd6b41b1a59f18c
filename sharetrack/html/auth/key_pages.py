"""Staff page for API keys (admins): list by name and prefix, create (shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import StringField

from ...auth import api_keys
from ...auth.staff import admin_required, require_sign_in
from ...extensions import db
from ...inputs import FieldsForm

bp = Blueprint("api_keys", __name__, url_prefix="/staff/api-keys")
bp.before_request(require_sign_in)


class KeyForm(FieldsForm):
    """A new key's name: who or what will use it."""

    name = StringField("Name", description="Who or what uses the key, e.g. Newsletter export")


def name_problem(name: str) -> str | None:
    """Why a key name is refused, or None."""
    if not name:
        return "Name is required."
    if len(name) > api_keys.MAX_NAME:
        return f"Name must be at most {api_keys.MAX_NAME} characters."
    if not name.isprintable():
        return "Name must have printable characters only."
    return None


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    """Every key, live and revoked; the form makes a new one and shows it once.

    CSRF tokens are checked before any view (CSRFProtect): a form without one never gets here.
    """
    form, new_key, status = KeyForm(), None, 200
    if form.is_submitted():
        name = (form.name.data or "").strip()
        if problem := name_problem(name):
            form.name.errors = [problem]
            status = 422
        else:
            _, new_key = api_keys.create(db.session, name)
            db.session.commit()
            form.name.data, status = "", 201
    keys = api_keys.all_keys(db.session)
    return render_template("staff/api_keys.html", form=form, keys=keys, new_key=new_key), status


@bp.post("/<prefix>/revoke")
@admin_required
def revoke(prefix: str):
    """Revoke a key by its prefix; it stops authenticating at once."""
    if len(prefix) <= 16 and api_keys.revoke(db.session, prefix):
        db.session.commit()
        flash(f"Key {api_keys.PREFIX}{prefix.removeprefix(api_keys.PREFIX)} is revoked.")
    else:
        flash("There is no live key with that prefix.")
    return redirect(url_for("api_keys.index"), 303)
