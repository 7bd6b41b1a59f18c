"""The configs in deploy/ are checked by the tools that will read them: Caddy and systemd."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sharetrack.defaults import defaults
from tests.conftest import IN_CI

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
VENV_BIN = Path(sys.executable).parent  # gunicorn and flask are installed beside python


def unit_settings(name: str) -> dict[str, str]:
    """The [Service] (or [Timer]) settings of a unit in deploy/, by name."""
    settings = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return settings


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
    # The units serve /srv/sharetrack/current, a symlink to a release with its venv; here the
    # release's venv is this checkout's.
    release = tmp_path / "srv"
    (release / "releases" / "r1" / ".venv").mkdir(parents=True)
    (release / "releases" / "r1" / ".venv" / "bin").symlink_to(VENV_BIN)
    (release / "current").symlink_to("releases/r1")
    units = tmp_path / "units"
    units.mkdir()
    names = sorted(p.name for p in DEPLOY.glob("sharetrack*.service")) + sorted(
        p.name for p in DEPLOY.glob("sharetrack*.timer")
    )
    assert {
        "sharetrack.service",
        "sharetrack-worker.service",
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


def test_the_purge_runs_hourly_from_one_timer_every_document_points_to():
    assert unit_settings("sharetrack-purge.timer")["OnCalendar"] == "hourly"
    root = DEPLOY.parent
    for doc in ("README.md", "docs/operations.md", "docs/privacy.md", "docs/deploy.md"):
        text = (root / doc).read_text()
        assert "deploy/sharetrack-purge.timer" in text, doc
        # No second copy of a unit to drift from deploy/'s.
        assert "OnCalendar" not in text and "[Timer]" not in text, doc


def test_the_proxy_passes_the_host_with_its_port():
    text = (DEPLOY / "Caddyfile").read_text()
    # {host} drops the port: staff sign-in on any port but 443 would fail its referrer check.
    assert not re.search(r"^\s*header_up X-Forwarded-Host", text, re.M)
    done = subprocess.run(
        [tool("caddy"), "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "X-Forwarded-Host" not in done.stderr, done.stderr


def test_the_example_database_url_uses_the_local_socket_with_peer_authentication():
    from sqlalchemy.engine import make_url

    line = next(
        line
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if line.startswith("DATABASE_URL=")
    )
    url = make_url(line.split("=", 1)[1])
    # Debian's pg_hba.conf: peer on the local socket (no password, the role named as the
    # service user), scram-sha-256 on TCP, which a role made without a password cannot pass.
    assert url.host is None and url.password is None
    assert url.username == unit_settings("sharetrack.service")["User"] == "sharetrack"
