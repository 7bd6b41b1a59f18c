"""Fuzz the live API against its own contract; any 5xx or off-contract response fails.

    .venv/bin/python -m tests.contract.run_schemathesis [--max-examples N]

Starts gunicorn (2 workers) on a free port over a migrated throwaway database: a private schema
in PostgreSQL when DATABASE_URL names one, else SQLite in a temporary folder. Loads the demo
campaign (so generated bodies can reach real shares), makes a staff key, and runs schemathesis
against /api/v1/openapi.json with a bounded number of examples per operation and a fixed seed.
The exit status is schemathesis's. `.ci/run` calls this after the suites.
"""

from __future__ import annotations

import argparse
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
            )
            key = live.prepare(env)
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
            if status != 0:
                print("== gunicorn log (tail)", file=sys.stderr)
                print(log.read_text()[-6000:], file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
