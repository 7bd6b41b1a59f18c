"""`flask --app sharetrack create-staff EMAIL --role admin|viewer`."""

from __future__ import annotations

import sqlalchemy as sa

from sharetrack.auth import passwords
from sharetrack.extensions import db
from sharetrack.models import StaffUser
from tests.conftest import BOTH_ENGINES


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
