"""A consistent copy of the database while the app serves: `flask --app sharetrack backup PATH`.

SQLite: the online backup API copies every page under one read snapshot (WAL lets writers go
on meanwhile), so the copy is the database as of one instant. PostgreSQL: pg_dump, whose
single repeatable-read transaction gives the same guarantee; its custom format is restored
with pg_restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine


class BackupError(RuntimeError):
    """The copy could not be made; nothing usable was written."""


@dataclass(frozen=True)
class Backup:
    """What was written, how, and how to restore it."""

    path: Path
    method: str
    restore: str


def backup(engine: Engine, path: Path) -> Backup:
    """Write a consistent copy of the engine's database to `path` (which must not exist),
    readable by its owner only: it holds what the database holds."""
    if path.exists():
        raise BackupError(
            f"{path} exists; give a new file name (a backup never overwrites)."
        ) from None
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder.")
    if engine.dialect.name == "sqlite":
        return _sqlite(engine.url, path)
    if engine.dialect.name == "postgresql":
        return _pg_dump(engine, path)
    raise BackupError(f"no backup method for {engine.dialect.name}")


def _sqlite(url: URL, path: Path) -> Backup:
    source_file = url.database
    if not source_file or source_file == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    partial = path.with_name(path.name + ".partial")
    _private_file(partial)
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True, timeout=15)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # all pages in one step: one snapshot, never restarted
    finally:
        target.close()
        source.close()
    partial.rename(path)
    return Backup(
        path, "SQLite online backup API", f"stop the app, then copy {path} over {source_file}"
    )


def _pg_dump(engine: Engine, path: Path) -> Backup:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    url = engine.url
    args = [program, *pg_dump_arguments(url, path)]
    args[-1:-1] = [f"--schema={schema}" for schema in _search_path(engine)]
    env = dict(os.environ)
    if url.password:  # in the environment, not the command line other users can read
        env["PGPASSWORD"] = str(url.password)
    _private_file(path)  # pg_dump writes into it, keeping its mode
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        Path(path).unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return Backup(
        path,
        "pg_dump (custom format)",
        f"pg_restore --clean --if-exists --no-owner --dbname=DATABASE {path}",
    )


def pg_dump_arguments(url: URL, path: Path) -> list[str]:
    """pg_dump's arguments for the database at `url`: the host and port the app connects to
    (a socket folder such as /var/run/postgresql included), else libpq's default, the local
    socket; the database name last."""
    host = url.host or url.query.get("host")
    port = url.port or url.query.get("port")
    args = ["--format=custom", "--no-owner", f"--file={path}"]
    args += [f"--host={host}"] if host else []
    args += [f"--port={port}"] if port else []
    args += [f"--username={url.username}"] if url.username else []
    return [*args, url.database or "postgres"]


def _private_file(path: Path) -> None:
    """Make `path` empty and 0600 whatever the umask; refuse one that appeared meanwhile."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(
            f"{path} exists; give a new file name (a backup never overwrites)."
        ) from None
    os.chmod(path, 0o600)  # os.open's mode passes through the umask


def _search_path(engine: Engine) -> list[str]:
    """The schemas the app uses when not `public` (a `-csearch_path=` option), else all."""
    with engine.connect() as connection:
        names = connection.execute(sa.text("SELECT current_schemas(false)")).scalar_one()
    return [] if "public" in names else list(names)
