"""Staff page for API keys: list by name and prefix, create (shown once), revoke (admins).

Anyone signed in may make a key, but none broader than their role (api_keys.ROLE_SCOPES): a
viewer makes read-only keys, an admin any; only admins revoke.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectMultipleField, StringField

from ...auth import api_keys
from ...auth.staff import admin_required, require_sign_in
from ...campaigns.service import all_campaigns
from ...extensions import db
from ...inputs import FieldsForm
from ...models import API_SCOPES

bp = Blueprint("api_keys", __name__, url_prefix="/staff/api-keys")
bp.before_request(require_sign_in)


class KeyForm(FieldsForm):
    """A new key's name: who or what will use it."""

    name = StringField("Name", description="Who or what uses the key, e.g. Newsletter export")
    scopes = SelectMultipleField(
        "Scopes",
        description="What the key may do: "
        + "; ".join(f"{k}: {v}" for k, v in api_keys.SCOPE_MEANING.items()),
        validate_choice=False,
    )
    campaigns = SelectMultipleField(
        "Campaigns",
        description="Choose none for every campaign, or the only ones the key reaches",
        validate_choice=False,
    )


def name_problem(name: str) -> str | None:
    """Why a key name is refused, or None."""
    if not name:
        return "Name is required."
    if len(name) > api_keys.MAX_NAME:
        return f"Name must be at most {api_keys.MAX_NAME} characters."
    if not name.isprintable():
        return "Name must have printable characters only."
    return None


def _make(form: KeyForm, allowed: frozenset[str]) -> tuple[str | None, int]:
    """Make the key the form asks for: (the key or None, status); errors go beside fields."""
    name = (form.name.data or "").strip()
    if problem := name_problem(name):
        form.name.errors = [problem]
        return None, 422
    try:
        ids = (
            api_keys.campaigns_named(db.session, form.campaigns.data, None)
            if form.campaigns.data
            else None
        )
        _, key = api_keys.create(db.session, name, form.scopes.data or (), ids, allowed=allowed)
    except api_keys.ScopeError as exc:
        getattr(form, exc.field).errors = [exc.message[0].upper() + exc.message[1:] + "."]
        return None, exc.status
    db.session.commit()
    form.name.data, form.scopes.data, form.campaigns.data = "", [], []
    return key, 201


@bp.route("/", methods=["GET", "POST"])
def index():
    """Every key, live and revoked; the form makes a new one and shows it once.

    CSRF tokens are checked before any view (CSRFProtect): a form without one never gets here.
    """
    allowed = api_keys.ROLE_SCOPES.get(current_user.role, frozenset())
    form, new_key, status = KeyForm(), None, 200
    form.scopes.choices = [s for s in API_SCOPES if s in allowed]
    form.campaigns.choices = [(c.slug, c.title) for c in all_campaigns(db.session)]
    if form.is_submitted():
        new_key, status = _make(form, allowed)
    keys = api_keys.listing(db.session)
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
