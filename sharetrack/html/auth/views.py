"""Staff sign-in and sign-out; `/` leads to the staff pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ...auth import staff
from ...extensions import db, login
from ...ratelimit import limited
from .forms import LoginForm

bp = Blueprint("auth", __name__)
WRONG = "The email or the password is wrong."

login.login_view = "auth.login_page"
login.login_message = "Sign in to see the staff pages."
# "basic" keeps a hash of the IP address and user agent in the cookie; with no remember-me
# cookie it protects nothing, and this service keeps neither.
login.session_protection = None


@login.user_loader
def _load_user(session_id: str):
    return staff.load(db.session, session_id)


@bp.get("/")
def home():
    """The site's root leads to the staff pages (sign-in first when needed)."""
    return redirect(url_for("campaigns.index"))


@bp.get("/favicon.ico")
def favicon():
    """The site's icon, from our own origin (browsers ask for this path on every site)."""
    # Read whole (a few kB) rather than streamed: no open file is left to the server to close.
    icon = Path(current_app.static_folder, "favicon.ico").read_bytes()
    response = current_app.response_class(icon, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/staff/login", methods=["GET", "POST"])
@limited("RATELIMIT_LOGIN", methods=["POST"])
def login_page():
    """Sign in with email and password."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    user = staff.authenticate(db.session, form.email.data, form.password.data)
    if user is None:
        return render_template("auth/login.html", form=form, failed=WRONG), 422
    db.session.commit()
    session.clear()  # nothing from before sign-in (a planted form token) carries over
    login_user(user)
    session.permanent = True
    return redirect(target)


@bp.post("/staff/logout")
def logout():
    """Sign out (a form post, so another site cannot sign staff out).

    Clearing the cookie is not enough: a copy of it (saved, stolen) would still verify. The
    account's session generation goes up, so every earlier cookie of it stops loading.
    """
    if current_user.is_authenticated:
        staff.end_sessions(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login_page"))


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a path on this site, never another origin."""
    fallback = url_for("campaigns.index")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return fallback
    return target
