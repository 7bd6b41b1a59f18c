"""Fixtures for the HTML pages: staff accounts, signed-in clients, form tokens.

Area conftests import these (`from tests.staff_fixtures import *`), so tests/conftest.py stays
untouched by this area.
"""

from __future__ import annotations

import re

import pytest

from sharetrack.auth import staff
from sharetrack.extensions import db

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The form token in a page."""
    match = _CSRF.search(html)
    assert match, "the page has no form token"
    return match.group(1)


def errors_in(html: str) -> dict[str, str]:
    """The error shown beside each field: {field id: message}."""
    return dict(re.findall(r'<p class="error" id="([\w-]+)-error">([^<]*)</p>', html))


@pytest.fixture
def make_staff(app):
    """Factory: a stored staff account; returns its email."""

    def make(email: str = "admin@example.org", role: str = "admin", password: str = PASSWORD):
        with app.app_context():
            staff.create(db.session, email, password, role)
            db.session.commit()
        return email

    return make


@pytest.fixture
def sign_in(app, client, make_staff):
    """Sign `client` in as a new account with this role; returns the account's email.

    The session cookie is written as the sign-in form writes it (Flask-Login's user id, a
    permanent session), without rendering and posting the form: tests/auth signs in through
    the form itself, and here it would only be every page test's set-up.
    """

    def sign(role: str = "admin") -> str:
        email = make_staff(f"{role}@example.org", role)
        with app.app_context():
            user_id = staff.find(db.session, email).get_id()
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user_id
            session["_fresh"] = True
            session.permanent = True
        return email

    return sign


@pytest.fixture
def admin(client, sign_in):
    """A client signed in as an admin."""
    sign_in("admin")
    return client


@pytest.fixture
def viewer(client, sign_in):
    """A client signed in as a viewer."""
    sign_in("viewer")
    return client


BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
BOT_UA = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"


@pytest.fixture
def visit(app):
    """Follow a share link as a person at `ip` (or as a bot); a fresh client, no cookies."""

    def follow(token: str, ip: str = "203.0.113.7", bot: bool = False) -> None:
        response = app.test_client().get(
            f"/s/{token}",
            headers={"User-Agent": BOT_UA if bot else BROWSER_UA},
            environ_base={"REMOTE_ADDR": ip},
        )
        assert response.status_code == 302

    return follow


__all__ = ["admin", "make_staff", "sign_in", "viewer", "visit"]
