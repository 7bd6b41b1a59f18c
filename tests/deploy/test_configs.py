"""The configs in deploy/ are checked by the tools that will read them: Caddy and systemd."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sharetrack.config import defaults
from tests.conftest import IN_CI

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
VENV_BIN = Path(sys.executable).parent  # gunicorn and flask are installed beside python


def tool(name: str) -> str:
    """The tool's path; skips (fails under CI) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: `make deploy-check-tools` installs it from Debian"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_the_caddyfile_is_valid():
    done = subprocess.run(
        [
            tool("caddy"),
            "validate",
            "--config",
            str(DEPLOY / "Caddyfile"),
            "--adapter",
            "caddyfile",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Valid configuration" in done.stdout + done.stderr


def test_the_caddyfile_overwrites_x_forwarded_for_and_hides_metrics():
    text = (DEPLOY / "Caddyfile").read_text()
    assert "header_up X-Forwarded-For {remote_host}" in text
    assert re.search(r"@private path /metrics", text) and "respond @private 404" in text


def test_the_systemd_units_verify(tmp_path):
    analyze = tool("systemd-analyze")
    # The units name the release folder /srv/sharetrack; here it is this checkout's venv.
    release = tmp_path / "srv"
    (release / ".venv").mkdir(parents=True)
    (release / ".venv" / "bin").symlink_to(VENV_BIN)
    units = tmp_path / "units"
    units.mkdir()
    names = sorted(p.name for p in DEPLOY.glob("sharetrack*.service")) + sorted(
        p.name for p in DEPLOY.glob("sharetrack*.timer")
    )
    assert {
        "sharetrack.service",
        "sharetrack-purge.timer",
        "sharetrack-rollup-clicks.timer",
    } <= set(names)
    for name in names:
        text = (DEPLOY / name).read_text().replace("/srv/sharetrack", str(release))
        (units / name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *names],
        cwd=units,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # systemd only warns about unknown keys and bad values: any output at all is a failure.
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stderr


def test_every_timer_runs_a_command_that_exists():
    from sharetrack import create_app

    commands = set(
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).cli.commands
    )
    for timer in DEPLOY.glob("sharetrack-*.timer"):
        service = (DEPLOY / timer.name.replace(".timer", ".service")).read_text()
        command = re.search(r"ExecStart=\S+/flask --app sharetrack (\S+)", service)[1]
        assert command in commands, timer.name


def test_the_example_environment_names_only_real_settings():
    known = set(defaults("/tmp"))  # noqa: S108 - only the names are read
    for line in (DEPLOY / "env.example").read_text().splitlines():
        name = line.lstrip("# ").split("=")[0]
        if name.startswith("SHARETRACK_") and name != "SHARETRACK_WORKERS":
            assert name.removeprefix("SHARETRACK_") in known, name
