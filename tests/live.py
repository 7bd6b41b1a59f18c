"""Real servers for tests: a migrated database and gunicorn on a free port.

env = live.environment(tmp_path, SHARETRACK_RATELIMIT_SHARES="4/hour")
key = live.prepare(env)              # migrations + a staff API key
with live.gunicorn(env) as base_url:
    status, headers, body = live.call("POST", base_url + "/api/v1/shares", {...})
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "live-test-secret-key-0123456789abcdef"
BASE_URL = "https://st.example"
# Straight to our own server: no proxy from the environment, redirects followed.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(tmp_path: Path, database_url: str | None = None, **settings: str) -> dict[str, str]:
    """The environment of a server on `database_url` (default: SQLite in tmp_path)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHARETRACK_", "FLASK_"))}
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp_path / 'live.db'}",
        SHARETRACK_SECRET_KEY=SECRET,
    )
    # Outside tests the app refuses to start without its public origin (config.refuse_unsafe).
    env.update({"SHARETRACK_BASE_URL": BASE_URL, **settings})
    return env


def flask(env: dict[str, str], *args: str) -> str:
    """Run `flask --app sharetrack ARGS` and return its standard output."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "sharetrack", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate the database to head and return a new staff API key.

    In this process, as `flask db upgrade` and `flask create-api-key` would do it: two fresh
    interpreters loading the app cost more than the migration (the commands themselves are
    tested in tests/test_cli.py and by the deploy rehearsal).
    """
    import flask_migrate

    from sharetrack import create_app
    from sharetrack.auth import api_keys
    from sharetrack.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": env["SHARETRACK_SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        _, key = api_keys.create(db.session, "live tests")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return key


@contextmanager
def gunicorn(
    env: dict[str, str], workers: int = 1, log: Path | None = None, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """gunicorn serving wsgi:app on a free port; yields its base URL, stops it afterwards.

    `args` go before the others, e.g. ("-c", "deploy/gunicorn.conf.py") for the deploy config.
    """
    port = free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), *args, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        + ["--graceful-timeout", "5", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, base_url)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log:
            out.close()


def _wait_until_up(server: subprocess.Popen, base_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} before answering")
        try:
            if call("GET", base_url + "/api/v1/openapi.json")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer at {base_url} within {timeout} s")


def call(
    method: str, url: str, body: dict | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], dict | str]:
    """One HTTP request: (status, headers, JSON body or text). 4xx/5xx are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    # S310: the URL is always one of our own test servers' http://127.0.0.1 addresses.
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(request, timeout=10) as response:
            status, raw, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    text = raw.decode()
    is_json = "json" in got.get("Content-Type", "")
    return status, got, json.loads(text) if is_json and text else text
