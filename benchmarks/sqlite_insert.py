"""What one SQLite INSERT and commit costs on this host's disk: the floor under a click.

    .venv/bin/python benchmarks/sqlite_insert.py              # in instance/ (the app's disk)
    .venv/bin/python benchmarks/sqlite_insert.py /dev/shm     # in memory, for comparison

WAL and synchronous=NORMAL, as the app's connections (sharetrack/__init__.py), one
autocommitted INSERT per row into a table shaped like `clicks` (two indexes). Prints the mean
µs per INSERT over 5,000 rows, at SQLite's default checkpoint interval and a ten times longer
one. Hosts differ by a factor of two here, and benchmarks/redirect.sh's SQLite ratio follows.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROWS = 5000


def per_insert(connection: sqlite3.Connection, rows: int = ROWS) -> float:
    """Mean µs per autocommitted INSERT of `rows` click-shaped rows."""
    started = time.perf_counter()
    for i in range(rows):
        connection.execute(
            "INSERT INTO clicks (share_id, day, visitor_hash) VALUES (?, ?, ?)",
            (i % 100, "2026-11-27", os.urandom(16)),
        )
    return (time.perf_counter() - started) / rows * 1e6


def main() -> None:
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "instance"
    where.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=where) as folder:
        connection = sqlite3.connect(Path(folder) / "bench.db", isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE clicks"
            " (id INTEGER PRIMARY KEY, share_id INT, day TEXT, visitor_hash BLOB)"
        )
        connection.execute("CREATE INDEX ix_share_day ON clicks (share_id, day)")
        connection.execute("CREATE INDEX ix_day ON clicks (day)")
        for pages in (1000, 10000):
            connection.execute(f"PRAGMA wal_autocheckpoint={pages}")
            cost = per_insert(connection)
            print(f"{where}: {cost:.1f} µs per INSERT (checkpoint every {pages} pages)")
        connection.close()


if __name__ == "__main__":
    main()
