"""Staff accounts: creating them, signing in, and the admin-only guard."""

from __future__ import annotations

import re
from functools import wraps

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..extensions import login
from ..models import STAFF_ROLES, StaffUser, utcnow
from ..validation import is_id
from . import passwords

MAX_EMAIL = 254
# Deliberately loose: one @, something on each side, a dot in the domain, no spaces or controls.
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


class StaffError(ValueError):
    """A staff account cannot be created as asked; the message says why."""


def normalise_email(email: str) -> str:
    """The stored form of an email address: trimmed and lower-cased."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why an address cannot name a staff account, or None."""
    if len(email) > MAX_EMAIL:
        return f"must be at most {MAX_EMAIL} characters"
    if not _EMAIL.match(email):
        return "is not an email address"
    return None


def create(session: Session, email: str, password: str, role: str) -> StaffUser:
    """A new staff account; raises StaffError for a bad address, password, role or duplicate."""
    email = normalise_email(email)
    if problem := email_problem(email):
        raise StaffError(f"email {problem}")
    if role not in STAFF_ROLES:
        raise StaffError(f"role must be one of {', '.join(STAFF_ROLES)}")
    if problem := passwords.problem(password):
        raise StaffError(f"password {problem}")
    user = StaffUser(email=email, password_hash=passwords.hash_password(password), role=role)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise StaffError(f"a staff account for {email} already exists") from None
    return user


def find(session: Session, email: str) -> StaffUser | None:
    """The account with this address (any case, spaces trimmed), or None."""
    email = normalise_email(email)
    if email_problem(email) is not None:
        return None
    return session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def set_password(session: Session, email: str, password: str) -> StaffUser:
    """Give an account a new password; its sessions end (StaffUser.get_id changes)."""
    user = find(session, email)
    if user is None:
        raise StaffError(f"no staff account for {normalise_email(email)}")
    if problem := passwords.problem(password):
        raise StaffError(f"password {problem}")
    user.password_hash = passwords.hash_password(password)
    return user


def remove(session: Session, email: str) -> StaffUser:
    """Delete an account; a session it had stops working at its next request."""
    user = find(session, email)
    if user is None:
        raise StaffError(f"no staff account for {normalise_email(email)}")
    session.delete(user)
    return user


def end_sessions(user: StaffUser) -> None:
    """End every session of the account: the cookies they hold stop loading it (get_id)."""
    user.session_generation = (user.session_generation or 0) + 1


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The account these credentials open, or None; takes as long whether or not it exists."""
    email = normalise_email(email)
    user = None
    if email_problem(email) is None:  # also keeps NUL bytes away from PostgreSQL
        user = session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
    if user is None:
        passwords.waste_time(password)
        return None
    if not passwords.verify(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def load(session: Session, session_id: str) -> StaffUser | None:
    """The account behind a session's user id (see StaffUser.get_id), or None if it changed."""
    user_id, _, _ = session_id.partition(":")
    if (
        not (user_id.isascii() and user_id.isdigit())
        or len(user_id) > 19
        or not is_id(int(user_id))
    ):
        return None
    user = session.get(StaffUser, int(user_id))
    if user is None or user.get_id() != session_id:
        return None
    return user


ADMINS_ONLY = "Your account can read these pages but not change them. Ask an admin."


def admin_required(view):
    """Decorator: 403 unless the signed-in person is an admin (sign-in is checked before)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not getattr(current_user, "is_admin", False):
            page = render_template(
                "errors/error.html", status=403, title="Admins only", detail=ADMINS_ONLY
            )
            return page, 403
        return view(*args, **kwargs)

    return wrapper


def require_sign_in():
    """A blueprint's before_request: every staff page needs a signed-in person."""
    if not current_user.is_authenticated:
        return login.unauthorized()
    return None
