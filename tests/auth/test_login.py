"""Staff sign-in at /staff/login: sessions, CSRF, roles, and nothing that tells accounts apart."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from sharetrack import create_app
from sharetrack.auth import passwords, staff
from sharetrack.extensions import db
from sharetrack.models import StaffUser
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import PASSWORD, csrf_from, errors_in


def post_login(client, email, password, *, token=True, next_=None):
    data = {"email": email, "password": password}
    if token:
        data["csrf_token"] = csrf_from(client.get("/staff/login").text)
    path = "/staff/login" + (f"?next={next_}" if next_ else "")
    return client.post(path, data=data)


def without_token(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


def test_the_root_and_the_staff_pages_lead_to_sign_in(client):
    assert client.get("/").headers["Location"] == "/staff/"
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=%2Fstaff%2F"
    page = client.get("/staff/login")
    assert page.status_code == 200
    assert '<label for="email">Email</label>' in page.text
    assert '<label for="password">Password</label>' in page.text


def test_sign_in_then_out(client, make_staff):
    make_staff("ada@example.org", "viewer")
    response = post_login(client, "  ADA@example.org ", PASSWORD, next_="/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "ada@example.org (viewer)" in page.text

    assert client.get("/staff/logout").status_code == 405  # a link cannot sign anyone out
    assert client.post("/staff/logout").status_code == 400  # nor a form from elsewhere
    assert client.get("/staff/").status_code == 200
    out = client.post("/staff/logout", data={"csrf_token": csrf_from(page.text)})
    assert out.headers["Location"] == "/staff/login"
    assert "You are signed out." in client.get("/staff/login").text
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "staff", "/%0a"]
)
def test_sign_in_never_sends_people_to_another_site(client, make_staff, target):
    make_staff()
    response = post_login(client, "admin@example.org", PASSWORD, next_=target)
    assert response.headers["Location"] == "/staff/"


@BOTH_ENGINES
def test_a_wrong_password_looks_exactly_like_an_unknown_account(client, make_staff, engine_name):
    make_staff("ada@example.org")
    wrong = post_login(client, "ada@example.org", "not the password")
    unknown = post_login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    assert "The email or the password is wrong." in wrong.text
    assert without_token(wrong.text) == without_token(unknown.text).replace(
        "nobody@example.org", "ada@example.org"
    )
    assert client.get("/staff/").status_code == 302


@BOTH_ENGINES
def test_a_missing_form_token_looks_the_same_for_every_account(client, make_staff, engine_name):
    make_staff("ada@example.org")
    known = post_login(client, "ada@example.org", PASSWORD, token=False)
    unknown = post_login(client, "nobody@example.org", PASSWORD, token=False)
    assert known.status_code == unknown.status_code == 400
    assert known.text == unknown.text
    assert "This form expired or was not sent from this site" in known.text
    assert client.get("/staff/").status_code == 302


@BOTH_ENGINES
@pytest.mark.parametrize(
    "email,password",
    [
        ("ada\x00@example.org", PASSWORD),
        ("a" * 5000 + "@example.org", PASSWORD),
        ("ada@example.org", "p\x00" * 5000),
        ("", ""),
    ],
)
def test_odd_input_is_a_4xx_never_a_500(client, make_staff, engine_name, email, password):
    make_staff("ada@example.org")
    response = post_login(client, email, password)
    assert response.status_code == 422
    if not email:
        assert errors_in(response.text) == {
            "email": "Enter your email address.",
            "password": "Enter your password.",
        }


@BOTH_ENGINES
def test_bytes_that_are_not_utf8_are_a_4xx(client, make_staff, engine_name):
    make_staff("ada@example.org")
    token = csrf_from(client.get("/staff/login").text)
    response = client.post(
        "/staff/login",
        data=f"csrf_token={token}&email=%ff%fe%00@example.org&password=%c3%28".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422


def test_empty_fields_are_marked_beside_each_field(client):
    response = post_login(client, "", "")
    assert response.status_code == 422
    assert 'aria-describedby="email-error"' in response.text
    assert errors_in(response.text)["email"] == "Enter your email address."


def test_viewers_read_and_admins_also_change(client, sign_in, make_campaign):
    campaign = make_campaign()
    sign_in("viewer")
    assert client.get("/staff/").status_code == 200
    assert client.get(f"/staff/campaigns/{campaign.slug}").status_code == 200
    assert "New campaign" not in client.get("/staff/").text
    assert ">Edit<" not in client.get(f"/staff/campaigns/{campaign.slug}").text
    token = csrf_from(client.get("/staff/").text)
    refused = client.get("/staff/new")
    assert refused.status_code == 403
    assert "Your account can read these pages but not change them." in refused.text
    assert client.post("/staff/new", data={"csrf_token": token, "slug": "x"}).status_code == 403
    edit = f"/staff/campaigns/{campaign.slug}/edit"
    assert client.get(edit).status_code == 403
    assert client.post(edit, data={"csrf_token": token, "title": "x"}).status_code == 403


def test_changing_the_password_ends_older_sessions(app, client, sign_in):
    sign_in("admin")
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        account = db.session.scalar(sa.select(StaffUser))
        account.password_hash = passwords.hash_password("a brand new password")
        db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_old_hash_parameters_are_upgraded_at_sign_in(app, client, make_staff):
    make_staff("ada@example.org")
    with app.app_context():
        account = db.session.scalar(sa.select(StaffUser))
        weakest = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        account.password_hash = weakest.hash(PASSWORD)
        db.session.commit()
    assert post_login(client, "ada@example.org", PASSWORD).status_code == 302
    with app.app_context():
        account = db.session.scalar(sa.select(StaffUser))
        assert not passwords.needs_rehash(account.password_hash)
        assert passwords.verify(account.password_hash, PASSWORD)
        assert account.last_login_at is not None


def session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


@pytest.mark.parametrize("debug", [False, True])
def test_session_cookie_flags(database_config, monkeypatch, debug):
    monkeypatch.setenv("FLASK_DEBUG", "1" if debug else "0")
    settings = {
        "SECRET_KEY": "a-real-secret-for-this-test-0123456",
        "BASE_URL": "https://st.example",
    }
    app = create_app({**settings, **database_config})
    assert app.debug is debug and not app.testing
    with app.app_context():
        db.create_all()
        staff.create(db.session, "ada@example.org", PASSWORD, "admin")
        db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/staff/login", base_url="https://st.example").text)
    response = client.post(
        "/staff/login",
        base_url="https://st.example",
        headers={"Referer": "https://st.example/staff/login"},
        data={"csrf_token": token, "email": "ada@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is (not debug)
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@BOTH_ENGINES
def test_a_session_cookie_replayed_after_sign_out_reaches_no_staff_page(
    app, client, sign_in, engine_name
):
    sign_in("admin")
    page = client.get("/staff/")
    assert page.status_code == 200
    saved = client.get_cookie("session").value  # as an attacker (or a synced browser) keeps it
    out = client.post("/staff/logout", data={"csrf_token": csrf_from(page.text)})
    assert out.status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    for path in ("/staff/", "/staff/api-keys/"):
        response = replay.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login")
    # Signing in again opens the pages; the old cookie still does not.
    sign_in_again = post_login(client, "admin@example.org", PASSWORD)
    assert sign_in_again.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert replay.get("/staff/").status_code == 302


@BOTH_ENGINES
@pytest.mark.parametrize("user_id", ["0", "9223372036854775808", "9999999999999999999"])
def test_a_session_naming_an_id_no_row_can_have_is_no_one(app, engine_name, user_id):
    with app.app_context():
        assert staff.load(db.session, f"{user_id}:0") is None
