"""Fuzz the live API against its own contract; any 5xx or off-contract response fails.

    .venv/bin/python -m tests.contract.run_schemathesis [--max-examples N]

Starts gunicorn (2 workers) on a free port over a migrated throwaway database: a private schema
in PostgreSQL when DATABASE_URL names one, else SQLite in a temporary folder. Loads the demo
campaign (so generated bodies can reach real shares), makes a staff key, and runs schemathesis
against /api/v1/openapi.json with a bounded number of examples per operation and a fixed seed.
Then the HTML pages and staff forms (tests/contract/pages.yaml: every field and query
parameter as free text), signed in as staff with form tokens off on this throwaway server,
checked for "no 5xx" only. The exit status is schemathesis's. `.ci/run` calls this after the
suites.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from tests import live

REVOKE = "revoke_api_key"
PAGES = Path(__file__).with_name("pages.yaml")
STAFF_EMAIL = "fuzz@example.org"
STAFF_PASSWORD = "contract-fuzzing-password-0123"  # noqa: S105 - a throwaway server's
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


@contextmanager
def throwaway_database(folder: Path) -> Iterator[str]:
    """A URL to an empty database, removed afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{folder / 'contract.db'}"
        return
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"st_contract_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def staff_cookie(base_url: str) -> str:
    """Sign the fuzzing staff account in; its session cookie as a Cookie header value."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    body = f"email={STAFF_EMAIL}&password={STAFF_PASSWORD}"
    connection.request(
        "POST",
        "/staff/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    cookie = response.getheader("Set-Cookie") or ""
    connection.close()
    if response.status != 302 or not cookie:
        raise RuntimeError(f"staff sign-in for fuzzing failed: {response.status}")
    return cookie.split(";", 1)[0]


def fuzz_pages(base_url: str, key: str, args, env: dict) -> int:
    """Fuzz the pages and staff forms of pages.yaml, signed in; any 5xx fails."""
    print(f"== schemathesis: pages and staff forms against {base_url}", flush=True)
    command = [
        str(live.BIN / "schemathesis"),
        "run",
        str(PAGES),
        "--url",
        base_url,
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--header",
        f"Cookie: {staff_cookie(base_url)}",
        "--header",
        f"Authorization: Bearer {key}",  # the report API in pages.yaml
        "--header",
        "Sec-Fetch-Site: same-origin",  # as a browser posts our pages' forms (ADR 0402)
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--no-color",
    ]
    return subprocess.call(command, env=env)


def main() -> int:
    """Run the contract check; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=40, help="per operation")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with throwaway_database(folder) as database_url:
            env = live.environment(
                folder,
                database_url,
                # The limit itself is tested in the suite; here it would only hide the views.
                SHARETRACK_RATELIMIT_SHARES="100000/minute",
                SHARETRACK_BASE_URL="https://st.example",
                # Form tokens are tested in the suite; here they would stop every form post.
                SHARETRACK_WTF_CSRF_ENABLED="false",
                # Mail on, so the email paths are fuzzed too; nothing is sent (a dummy backend).
                SHARETRACK_MAIL_SERVER="127.0.0.1",
                SHARETRACK_MAIL_DEFAULT_SENDER="fuzz@st.example",
                SHARETRACK_MAIL_BACKEND="dummy",
            )
            key = live.prepare(env)
            subprocess.run(
                [str(live.BIN / "flask"), "--app", "sharetrack", "create-staff", STAFF_EMAIL]
                + ["--role", "admin", "--password-stdin"],
                input=STAFF_PASSWORD + "\n",
                env=env,
                cwd=live.ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            live.flask(env, "demo", "--base-url", "https://st.example")
            log = folder / "gunicorn.log"
            with live.gunicorn(env, workers=2, log=log) as base_url:
                engine = database_url.split(":", 1)[0]
                print(f"== schemathesis against {base_url} ({engine})", flush=True)
                command = [
                    str(live.BIN / "schemathesis"),
                    "run",
                    f"{base_url}/api/v1/openapi.json",
                    "--checks",
                    ",".join(CHECKS),
                    "--max-examples",
                    str(args.max_examples),
                    "--seed",
                    str(args.seed),
                    "--header",
                    f"Authorization: Bearer {key}",
                    # One worker: concurrent ast.parse in hypothesis trips a CPython 3.11 bug.
                    "--workers",
                    "1",
                    "--request-timeout",
                    "10",
                    "--no-color",
                ]
                run_env = {**env, "SCHEMATHESIS_TELEMETRY": "false"}
                # Revoking keys comes last and alone: its stateful links would revoke the key
                # the fuzzer authenticates with, and every later request would only get 401.
                status = subprocess.call([*command, "--exclude-operation-id", REVOKE], env=run_env)
                status = status or subprocess.call(
                    [*command, "--include-operation-id", REVOKE], env=run_env
                )
                status = status or fuzz_pages(base_url, key, args, run_env)
            if status != 0:
                print("== gunicorn log (tail)", file=sys.stderr)
                print(log.read_text()[-6000:], file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
