"""`flask --app sharetrack create-staff EMAIL --role admin|viewer`."""

from __future__ import annotations

import sqlalchemy as sa

from sharetrack.auth import passwords
from sharetrack.extensions import db
from sharetrack.models import StaffUser
from tests.auth.test_login import post_login
from tests.conftest import BOTH_ENGINES
from tests.staff_fixtures import PASSWORD


def accounts(app) -> list[StaffUser]:
    with app.app_context():
        return list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.id)))


@BOTH_ENGINES
def test_password_from_stdin(app, runner, engine_name):
    result = runner.invoke(
        args=["create-staff", "Ada@Example.ORG", "--role", "admin", "--password-stdin"],
        input="a long enough password\nsecond line is ignored\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "created admin ada@example.org\n"
    [account] = accounts(app)
    assert (account.email, account.role) == ("ada@example.org", "admin")
    assert passwords.verify(account.password_hash, "a long enough password")


def test_prompts_twice_and_asks_again_when_they_differ(app, runner):
    result = runner.invoke(
        args=["create-staff", "viewer@example.org", "--role", "viewer"],
        input="first password!!\nsecond password!\nthe real password\nthe real password\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password:") == 2
    assert "do not match" in result.output
    [account] = accounts(app)
    assert account.role == "viewer"
    assert passwords.verify(account.password_hash, "the real password")
    assert "the real password" not in result.output


def test_refusals_store_nothing(app, runner, make_staff):
    make_staff("taken@example.org")
    cases = [
        (["taken@example.org", "--role", "admin"], "already exists"),
        (["TAKEN@example.org ", "--role", "admin"], "already exists"),
        (["not-an-email", "--role", "admin"], "email is not an email address"),
        (["new@example.org", "--role", "admin"], "password must be at least 12 characters"),
    ]
    for args, message in cases:
        password = "short" if "new@" in args[0] else "a long enough password"
        result = runner.invoke(
            args=["create-staff", *args, "--password-stdin"], input=password + "\n"
        )
        assert result.exit_code == 1, result.output
        assert message in result.output
    result = runner.invoke(args=["create-staff", "x@example.org", "--role", "owner"])
    assert result.exit_code == 2
    assert "'owner' is not one of 'admin', 'viewer'" in result.output
    assert [a.email for a in accounts(app)] == ["taken@example.org"]


@BOTH_ENGINES
def test_a_new_password_signs_the_account_out_and_opens_it(
    app, client, runner, sign_in, engine_name
):
    email = sign_in("admin")
    assert client.get("/staff/").status_code == 200
    result = runner.invoke(
        args=["set-staff-password", email.upper(), "--password-stdin"],
        input="a brand new password\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"new password set for {email}; its sessions have ended\n"
    assert client.get("/staff/").status_code == 302  # the old session is over
    [account] = accounts(app)
    assert passwords.verify(account.password_hash, "a brand new password")
    assert not passwords.verify(account.password_hash, PASSWORD)
    assert post_login(client, email, "a brand new password").status_code == 302


def test_set_password_refusals_change_nothing(app, runner, make_staff):
    make_staff("ada@example.org")
    [before] = accounts(app)
    for args, password, message in [
        (["nobody@example.org"], "a long enough password", "no staff account for nobody@"),
        (["ada@example.org"], "short", "password must be at least 12 characters"),
    ]:
        result = runner.invoke(
            args=["set-staff-password", *args, "--password-stdin"], input=password + "\n"
        )
        assert result.exit_code == 1, result.output
        assert message in result.output
    [after] = accounts(app)
    assert after.password_hash == before.password_hash


def test_removing_an_account_ends_its_session(app, client, runner, sign_in, make_staff):
    email = sign_in("viewer")
    make_staff("stays@example.org")
    assert client.get("/staff/").status_code == 200
    result = runner.invoke(args=["remove-staff", email])
    assert result.exit_code == 0, result.output
    assert result.output == f"removed viewer {email}\n"
    assert client.get("/staff/").status_code == 302
    assert [a.email for a in accounts(app)] == ["stays@example.org"]
    again = runner.invoke(args=["remove-staff", email])
    assert again.exit_code == 1 and "no staff account" in again.output
