"""The import commands: `flask import` (JSON Lines of a history) and `flask import-payments`
(a payment platform's CSV export)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..services import services

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
    from ..imports.lines import Checker, group_errors
    from ..imports.store import imported_before, remember, store

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
    from ..campaigns.service import by_slug
    from ..imports import payments, presets

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
