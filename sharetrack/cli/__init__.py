"""`flask --app sharetrack …` commands. `db upgrade` comes from Flask-Migrate."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from .. import queue
from ..auth import api_keys, staff
from ..extensions import db
from ..models import API_SCOPES, STAFF_ROLES, Campaign, utcnow
from ..periods import iso_utc
from ..services import services
from ..tracking import retention, rollup, visitors
from ..webhooks import delivery, endpoints
from .imports import import_history, import_payments

DEMO_KEY_NAME = "demo (make run)"


@click.command("create-api-key")
@with_appcontext
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="read, write, money or admin; repeat for several (default: all four)",
)
def create_api_key(name: str, scopes: tuple[str, ...]) -> None:
    """Create a staff API key called NAME and print only the key (it is not shown again)."""
    try:
        _, key = api_keys.create(db.session, name[: api_keys.MAX_NAME], scopes or API_SCOPES)
    except api_keys.ScopeError as exc:
        raise click.BadParameter(exc.message, param_hint="--scope") from None
    db.session.commit()
    click.echo(key)


@click.command("list-api-keys")
@with_appcontext
def list_api_keys() -> None:
    """List staff API keys by prefix and name (never the keys, which are not stored)."""
    rows = api_keys.all_keys(db.session)
    for row in rows:
        state = f"revoked {iso_utc(row.revoked_at)}" if row.revoked_at else "live"
        prefix = api_keys.PREFIX + row.prefix
        click.echo(
            f"{prefix}  {iso_utc(row.created_at)}  {state:<32}  {row.scopes:<22}  {row.name}"
        )
    if not rows:
        click.echo("no API keys; make one with create-api-key NAME", err=True)


@click.command("revoke-api-key")
@with_appcontext
@click.argument("prefix")
def revoke_api_key(prefix: str) -> None:
    """Revoke the staff API key whose prefix (as listed) is PREFIX."""
    if not api_keys.revoke(db.session, prefix.strip()):
        raise click.ClickException(f"there is no live API key {prefix!r} (see list-api-keys)")
    db.session.commit()
    click.echo(f"revoked {prefix}")


@click.command("create-staff")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True, help="What they may do.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def create_staff(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account for EMAIL that signs in at /staff/login."""
    password = _password(password_stdin, "Password")
    user = _staff_change(staff.create, email, password, role)
    click.echo(f"created {user.role} {user.email}")


@click.command("set-staff-password")
@with_appcontext
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the new password from one line of stdin."
)
def set_staff_password(email: str, password_stdin: bool) -> None:
    """Give the staff account EMAIL a new password; it is signed out everywhere."""
    password = _password(password_stdin, "New password")
    user = _staff_change(staff.set_password, email, password)
    click.echo(f"new password set for {user.email}; its sessions have ended")


@click.command("remove-staff")
@with_appcontext
@click.argument("email")
def remove_staff(email: str) -> None:
    """Delete the staff account EMAIL (its sessions end with it)."""
    user = _staff_change(staff.remove, email)
    click.echo(f"removed {user.role} {user.email}")


@click.command("rotate-salt")
@with_appcontext
def rotate_salt() -> None:
    """Make today's visitor-hash salt and delete salts older than 48 hours.

    The app does this by itself on the first click of a day; this is for cron.
    """
    today = visitors.rotate(db.session.connection())
    db.session.commit()
    click.echo(f"salt for {today.isoformat()} is in place; older than yesterday deleted")


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Delete expired salts and visitor hashes (older than 48 hours), and raw clicks older
    than CLICK_RETENTION_DAYS, each once its day is folded into daily aggregates. Safe to
    run any time."""
    salts, hashes = retention.expire_visitors(db.session)
    days = int(current_app.config["CLICK_RETENTION_DAYS"])
    clicks = retention.purge_clicks(db.session, days)
    log_days = int(current_app.config["WEBHOOK_LOG_DAYS"])
    deliveries = endpoints.prune(db.session, utcnow() - dt.timedelta(days=log_days))
    db.session.commit()
    click.echo(
        f"deleted {salts} salt(s) and {hashes} visitor hash(es); "
        f"{clicks} raw click(s) older than {days} days (their daily totals are kept); "
        f"{deliveries} webhook deliveries finished over {log_days} days ago"
    )


@click.command("rollup-clicks")
@with_appcontext
def rollup_clicks() -> None:
    """Fold clicks of closed days into daily aggregates (reports read those). For cron.

    The report API also does it on its first call after a day closes.
    """
    made = rollup.fold(db.session)
    db.session.commit()
    click.echo(f"{made} share-day aggregate(s) made; raw clicks are kept")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_database(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the app keeps serving."""
    from ..ops.backup import BackupError, backup

    try:
        done = backup(db.engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up to {done.path} with {done.method}")
    click.echo(f"restore: {done.restore}")


@click.command("demo")
@with_appcontext
@click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Origin printed in the share link.",
)
def demo(base_url: str) -> None:
    """Load a demo campaign if the database has none; print a fresh demo API key and a link."""
    from .. import demo as demo_data

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
    token = demo_data.demo_link_token(db.session, services().tokens)
    db.session.commit()
    click.echo(f"staff API key: {key}")
    if token:
        click.echo(f"share link:    {base_url.rstrip('/')}/s/{token}")
        click.echo(f"campaign page: {base_url.rstrip('/')}/c/{demo_data.DEMO_SLUG}")
        click.echo(f"report:        {base_url.rstrip('/')}/api/v1/campaigns/demo/report")


@click.command("deliver-webhooks")
@with_appcontext
def deliver_webhooks() -> None:
    """Send every due webhook delivery once (retries included) and announce ended campaigns;
    a task queue's periodic job calls the same function (webhooks.delivery.deliver_due_in_app)."""
    summary = delivery.deliver_due_in_app()
    click.echo(
        f"sent {summary.sent}, delivered {summary.delivered}, endpoints disabled "
        f"{summary.disabled}, campaigns ended {summary.ended}"
    )


@click.command("worker")
@with_appcontext
@click.option("--workers", type=int, default=None, help="Threads running jobs (QUEUE_WORKERS).")
def worker(workers: int | None) -> None:
    """Run the task queue's jobs and periodic tasks until stopped (INT finishes the jobs in
    hand, TERM stops at once; an interrupted job runs again)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    queue.consumer(current_app._get_current_object(), workers).run()  # type: ignore[attr-defined]


COMMANDS = (
    deliver_webhooks,
    worker,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    create_staff,
    set_staff_password,
    remove_staff,
    rotate_salt,
    purge,
    rollup_clicks,
    backup_database,
    import_history,
    import_payments,
    demo,
)


def register(app: Flask) -> None:
    """Attach the commands to the app."""
    for command in COMMANDS:
        app.cli.add_command(command)


def _staff_change(change, *args):
    """Run a staff.* change and commit it; its StaffError becomes the command's error."""
    try:
        user = change(db.session, *args)
    except staff.StaffError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    return user


def _password(from_stdin: bool, prompt: str) -> str:
    """One line of stdin, or the password typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
