"""`flask --app sharetrack …` commands. `db upgrade` comes from Flask-Migrate."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app

from .auth import api_keys, staff
from .extensions import db
from .models import STAFF_ROLES, Campaign, utcnow
from .tracking import visitors

DEMO_KEY_NAME = "demo (make run)"


def register(app: Flask) -> None:
    """Attach the commands to the app."""

    @app.cli.command("create-api-key")
    @click.argument("name")
    def create_api_key(name: str) -> None:
        """Create a staff API key called NAME and print only the key (it is not shown again)."""
        _, key = api_keys.create(db.session, name[:80])
        db.session.commit()
        click.echo(key)

    @app.cli.command("list-api-keys")
    def list_api_keys() -> None:
        """List staff API keys by prefix and name (never the keys, which are not stored)."""
        rows = api_keys.all_keys(db.session)
        for row in rows:
            key = api_keys.as_json(row)
            state = f"revoked {key['revoked_at']}" if row.revoked_at else "live"
            click.echo(f"{key['prefix']}  {key['created_at']}  {state:<32}  {key['name']}")
        if not rows:
            click.echo("no API keys; make one with create-api-key NAME", err=True)

    @app.cli.command("revoke-api-key")
    @click.argument("prefix")
    def revoke_api_key(prefix: str) -> None:
        """Revoke the staff API key whose prefix (as listed) is PREFIX."""
        if not api_keys.revoke(db.session, prefix.strip()):
            raise click.ClickException(f"there is no live API key {prefix!r} (see list-api-keys)")
        db.session.commit()
        click.echo(f"revoked {prefix}")

    @app.cli.command("create-staff")
    @click.argument("email")
    @click.option("--role", type=click.Choice(STAFF_ROLES), required=True, help="What they may do.")
    @click.option(
        "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
    )
    def create_staff(email: str, role: str, password_stdin: bool) -> None:
        """Create a staff account for EMAIL that signs in at /staff/login."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = staff.create(db.session, email, password, role)
        except staff.StaffError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo(f"created {user.role} {user.email}")

    @app.cli.command("rotate-salt")
    def rotate_salt() -> None:
        """Make today's visitor-hash salt and delete salts older than 48 hours.

        The app does this by itself on the first click of a day; this is for cron.
        """
        today = visitors.rotate(db.session.connection())
        db.session.commit()
        click.echo(f"salt for {today.isoformat()} is in place; older than yesterday deleted")

    @app.cli.command("purge")
    def purge() -> None:
        """Delete expired salts and visitor hashes (older than 48 hours). Safe to run any time."""
        salts, hashes = visitors.purge(db.session.connection())
        db.session.commit()
        click.echo(f"deleted {salts} salt(s) and {hashes} visitor hash(es)")

    @app.cli.command("demo")
    @click.option(
        "--base-url",
        default="http://127.0.0.1:5000",
        show_default=True,
        help="Origin printed in the share link.",
    )
    def demo(base_url: str) -> None:
        """Load a demo campaign if the database has none; print a fresh demo API key and a link."""
        from . import demo as demo_data

        if db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 0:
            demo_data.load(db.session, base_url)
            click.echo("loaded the demo campaign 'demo'")
        # Replace the previous demo key, so only the one printed now works.
        db.session.execute(
            sa.update(api_keys.ApiKey)
            .where(api_keys.ApiKey.name == DEMO_KEY_NAME, api_keys.ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        _, key = api_keys.create(db.session, DEMO_KEY_NAME)
        token = demo_data.demo_link_token(db.session, current_app.extensions["sharetrack.tokens"])
        db.session.commit()
        click.echo(f"staff API key: {key}")
        if token:
            click.echo(f"share link:    {base_url.rstrip('/')}/s/{token}")
