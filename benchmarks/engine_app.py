"""The engine's own limit: bare Flask's 302 plus one click INSERT and its commit per request.

The issue-16 reference point: what a minimal app pays for the write alone, on one persistent
connection per worker (SQLite in WAL with synchronous=NORMAL; PostgreSQL in autocommit with
synchronous_commit off and the INSERT prepared), into the `clicks` table `flask db upgrade` made.
No token, no rate limit, no cookie, no security headers: sharetrack cannot beat this figure,
only come close to it. DATABASE_URL names the database, as for the app.
"""

import datetime as dt
import os

from bare_app import DESTINATION
from flask import Flask, redirect

app = Flask(__name__)
URL = os.environ["DATABASE_URL"]
SQLITE = URL.startswith("sqlite")
INSERT = (
    "INSERT INTO clicks (share_id, at, day, is_bot, is_scan, referrer_host, visitor_hash)"
    " VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m})"
)
_connection = None


def connection():
    """One connection per worker process, opened after the fork."""
    global _connection
    if _connection is None:
        if SQLITE:
            import sqlite3

            _connection = sqlite3.connect(URL.removeprefix("sqlite:///"))
            _connection.execute("PRAGMA journal_mode=WAL")
            _connection.execute("PRAGMA synchronous=NORMAL")
            _connection.execute("PRAGMA busy_timeout=15000")
        else:
            import psycopg

            _connection = psycopg.connect(
                URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
            )
            _connection.execute("SET synchronous_commit TO OFF")
    return _connection


@app.get("/s/<token>")
def follow(token: str):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    conn = connection()
    if SQLITE:
        conn.execute(
            INSERT.format(m="?"),
            (
                1,
                now.strftime("%Y-%m-%d %H:%M:%S.%f"),
                now.date().isoformat(),
                0,
                0,
                None,
                os.urandom(16),
            ),
        )
        conn.commit()
    else:
        conn.execute(
            INSERT.format(m="%s"),
            (1, now, now.date(), False, False, None, os.urandom(16)),
            prepare=True,
        )
    return redirect(DESTINATION, 302)
