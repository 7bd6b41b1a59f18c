"""`flask --app sharetrack …` commands. `db upgrade` comes from Flask-Migrate."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .auth import api_keys, staff
from .extensions import db
from .models import STAFF_ROLES, Campaign, utcnow
from .periods import iso_utc
from .services import services
from .tracking import retention, rollup, visitors

DEMO_KEY_NAME = "demo (make run)"


@click.command("create-api-key")
@with_appcontext
@click.argument("name")
def create_api_key(name: str) -> None:
    """Create a staff API key called NAME and print only the key (it is not shown again)."""
    _, key = api_keys.create(db.session, name[: api_keys.MAX_NAME])
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
        click.echo(f"{prefix}  {iso_utc(row.created_at)}  {state:<32}  {row.name}")
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
    db.session.commit()
    click.echo(
        f"deleted {salts} salt(s) and {hashes} visitor hash(es); "
        f"{clicks} raw click(s) older than {days} days (their daily totals are kept)"
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
    from .ops.backup import BackupError, backup

    try:
        done = backup(db.engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up to {done.path} with {done.method}")
    click.echo(f"restore: {done.restore}")


# `flask import` exit codes (also in its --help and in README.md).
IMPORTED = 0  # stored what is new (with --force, possibly nothing)
IMPORT_REFUSED_INVALID = 1  # nothing stored: invalid lines, or the database refused
IMPORT_REFUSED_REPEAT = 3  # nothing stored: this file was imported before (2 is a usage error)


@click.command(
    "import",
    epilog=(
        f"Exit codes: {IMPORTED} imported; {IMPORT_REFUSED_INVALID} nothing stored (invalid "
        f"lines, or the database refused); 2 a usage error; {IMPORT_REFUSED_REPEAT} nothing "
        "stored: the file was imported before (--force imports it again)."
    ),
)
@with_appcontext
@click.argument("file", type=click.File("rb"))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Store the valid lines and list the others, instead of storing nothing.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Import a file imported before; only what is not stored yet is stored.",
)
def import_history(file, skip_invalid: bool, force: bool) -> None:
    """Import campaigns, shares, clicks and pledges from JSON Lines (FILE, or - for stdin).

    The whole file is checked before anything is written; errors are listed with line
    numbers. A file imported before is refused (by its SHA-256) unless --force. Campaigns
    already stored are used as they are; shares are matched by campaign and key, clicks by
    share, time and bot flag, and a pledge already stored is updated as the webhook would.
    """
    from .imports.lines import Checker, group_errors
    from .imports.store import imported_before, remember, store

    checker = Checker()
    digest = hashlib.sha256()
    with _progress("checking", _size(file)) as advance:
        pending = 0
        for number, raw in enumerate(file, 1):
            digest.update(raw)
            checker.feed(number, raw)
            pending += len(raw)
            if pending > 1 << 20:
                advance(pending)
                pending = 0
        advance(pending)
    sha256 = digest.hexdigest()
    earlier = imported_before(db.session, sha256)
    if earlier is not None and not force:
        click.echo(
            f"this file (SHA-256 {sha256[:16]}…) was imported on "
            f"{earlier.imported_at:%Y-%m-%d %H:%M} UTC; nothing was stored. "
            "--force imports it again, storing only what is not stored yet.",
            err=True,
        )
        sys.exit(IMPORT_REFUSED_REPEAT)
    plan = checker.finish(db.session)
    if plan.errors:
        for message in group_errors(plan.errors):
            click.echo(message, err=True)
        if not skip_invalid:
            click.echo(
                f"{plan.invalid_lines} of {plan.lines} lines are invalid; nothing was stored "
                "(--skip-invalid stores the valid lines).",
                err=True,
            )
            sys.exit(IMPORT_REFUSED_INVALID)
    records = len(plan.campaigns) + len(plan.shares) + len(plan.clicks) + len(plan.pledges)
    try:
        with _progress("storing", records) as advance:
            done = store(db.session, plan, advance)
        remember(db.session, sha256, plan.lines)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        click.echo(f"the database refused the import, nothing was stored: {exc}", err=True)
        sys.exit(IMPORT_REFUSED_INVALID)
    click.echo(
        f"stored {done.campaigns} campaign(s), {done.promoters} promoter(s), "
        f"{done.shares} share(s), {done.clicks} click(s), {done.pledges_new} new and "
        f"{done.pledges_updated} updated pledge(s)"
        + (
            f"; {done.shares_known} share(s) and {done.clicks_known} click(s) were stored "
            "before and are kept as they are"
            if done.shares_known or done.clicks_known
            else ""
        )
        + (f"; skipped {plan.invalid_lines} invalid line(s)" if plan.errors else "")
    )


@click.command("import-payments", epilog="Exit codes: 0 stored; 1 nothing stored; 2 a usage error.")
@with_appcontext
@click.argument("file", type=click.File("rb"))
@click.option("--campaign", "slug", required=True, help="The campaign the payments are for.")
@click.option("--preset", help="The platform whose export this is: stripe.")
@click.option("--map", "map_text", help="Columns: id=…,date=…,amount=…,currency=…,status=…,ref=…")
@click.option("--dry-run", is_flag=True, help="Check and count, store nothing.")
def import_payments(file, slug: str, preset: str | None, map_text: str | None, dry_run: bool):
    """Import a platform's payments export (CSV, FILE or - for stdin) as verified pledges.

    All or nothing: every problem is listed by line and nothing is stored. Only the mapped
    columns are read; names, emails and messages are never stored. A payment already stored
    (by its id, or by its time and amount without one) is updated as its webhook would be.
    """
    from .campaigns.service import by_slug
    from .imports import payments, presets

    try:
        mapping = presets.mapping_for(preset, map_text)
    except presets.MappingError as exc:
        raise click.UsageError(str(exc)) from None
    campaign = by_slug(db.session, slug)
    if campaign is None:
        raise click.UsageError(f"no campaign {slug!r}")
    with io.TextIOWrapper(file, encoding="utf-8-sig", newline="") as text:
        outcome = payments.import_payments(db.session, campaign, text, mapping, services().tokens)
    if outcome.errors or dry_run:
        db.session.rollback()
        for message in outcome.messages():
            click.echo(message, err=True)
        if outcome.errors:
            click.echo(f"{outcome.error_count} problem(s); nothing was stored.", err=True)
            sys.exit(IMPORT_REFUSED_INVALID)
    else:
        db.session.commit()
    done = "would store" if dry_run else "stored"
    click.echo(
        f"{done} {outcome.rows} payment row(s): {outcome.new} new, {outcome.updated} updated, "
        f"{outcome.unchanged} unchanged pledge(s); {outcome.refs_ignored} ref(s) ignored"
    )


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
    token = demo_data.demo_link_token(db.session, services().tokens)
    db.session.commit()
    click.echo(f"staff API key: {key}")
    if token:
        click.echo(f"share link:    {base_url.rstrip('/')}/s/{token}")
        click.echo(f"campaign page: {base_url.rstrip('/')}/c/{demo_data.DEMO_SLUG}")
        click.echo(f"report:        {base_url.rstrip('/')}/api/v1/campaigns/demo/report")


COMMANDS = (
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


def _size(file) -> int | None:
    """The file's length in bytes, if it is a regular file (not a pipe)."""
    try:
        stat = os.fstat(file.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return stat.st_size if stat.st_size > 0 else None


@contextlib.contextmanager
def _progress(label: str, length: int | None):
    """A progress bar on stderr when it is a terminal; `advance(n)` moves it on."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    # Without a length (a pipe), an endless iterable makes click show the position alone.
    endless = itertools.count() if length is None else None
    with click.progressbar(
        endless,
        length=length,
        label=label,
        file=sys.stderr,
        show_pos=True,
        show_percent=length is not None,
    ) as bar:
        yield bar.update
