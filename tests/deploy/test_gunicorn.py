"""gunicorn as sharetrack.service runs it: deploy/gunicorn.conf.py on the environment file.

A refused setting is said once, by the master, with exit code 78 (which the unit does not
restart on); a rotated key takes effect on a restart, and a reload (HUP) would not apply it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import live
from tests.deploy.test_configs import DEPLOY, unit_settings

pytestmark = pytest.mark.slow

OLD_TOKEN = "old-metrics-token-0123456789abcdef"
NEW_TOKEN = "new-metrics-token-0123456789abcdef"
OLD_KEY = "old-secret-key-0123456789abcdef-0123456789"
NEW_KEY = "new-secret-key-0123456789abcdef-0123456789"
EX_CONFIG = 78


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments and blanks skipped)."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            name, value = line.split("=", 1)
            out[name.strip()] = value.strip().strip("'\"")
    return out


def unit_command() -> list[str]:
    """sharetrack.service's ExecStart, run from this checkout's venv."""
    command = unit_settings("sharetrack.service")["ExecStart"].split()
    return [str(live.BIN / Path(command[0]).name), *command[1:]]


@contextmanager
def service(env_file: Path, tmp_path: Path, port: int, **extra: str):
    """The master started as the unit starts it: the unit's command, the file's environment."""
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home")}
    env |= {"XDG_RUNTIME_DIR": str(tmp_path / "runtime"), "LANG": "C.UTF-8"}
    env |= read_environment_file(env_file)
    env |= {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), **extra}
    env["SHARETRACK_BIND"] = f"127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with open(log, "ab") as out:
        master = subprocess.Popen(  # noqa: S603 - the unit's own command
            unit_command(), cwd=live.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            wait_for(lambda: answer(port, "/healthz") == 200, master)
            yield master
        finally:
            master.terminate()
            master.wait(timeout=30)


def answer(port: int, path: str, token: str | None = None) -> int | None:
    """The status of GET path, or None while nothing listens."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return live.call("GET", f"http://127.0.0.1:{port}{path}", headers=headers)[0]
    except OSError:
        return None


def redirect_status(port: int, token: str) -> int:
    """The status of a share link, its redirect not followed."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/s/{token}", headers={"User-Agent": "Mozilla/5.0 Firefox/128"})
    status = connection.getresponse().status
    connection.close()
    return status


def wait_for(ready, master: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert master.poll() is None, f"gunicorn exited with {master.returncode}"
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError("gunicorn did not get there in time")


def workers_of(pid: int) -> set[int]:
    """The master's child processes (its workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


def set_in_file(path: Path, **settings: str) -> None:
    """Rewrite the environment file as an operator does: these names set, the rest kept."""
    lines = [
        line for line in path.read_text().splitlines() if line.split("=", 1)[0] not in settings
    ]
    path.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in settings.items() if v)]) + "\n")


@pytest.fixture
def env_file(tmp_path) -> Path:
    """/etc/sharetrack/env of a migrated SQLite database with a campaign's share link."""
    path = tmp_path / "env"
    path.write_text(
        f"SHARETRACK_SECRET_KEY={OLD_KEY}\nSHARETRACK_BASE_URL=https://st.example\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'st.db'}\nSHARETRACK_METRICS_TOKEN={OLD_TOKEN}\n"
        "SHARETRACK_RATELIMIT_ENABLED=false\nSHARETRACK_WORKERS=1\n"
    )
    return path


def make_link(port: int, key: str) -> str:
    """A share link signed with the key the server runs with."""
    staff = {"Authorization": f"Bearer {key}"}
    campaign = {"slug": "rotate", "title": "Rotate", "landing_url": "https://case.example/"}
    assert live.call("POST", f"http://127.0.0.1:{port}/api/v1/campaigns", campaign, staff)[0] == 201
    status, _, body = live.call(
        "POST", f"http://127.0.0.1:{port}/api/v1/shares", {"campaign": "rotate", "channel": "x"}
    )
    assert status == 201, body
    return body["token"]


def test_a_rotated_key_takes_effect_on_restart_and_not_on_reload(env_file, tmp_path):
    key = live.prepare(live.environment(tmp_path, **read_environment_file(env_file)))
    port = live.free_port()
    with service(env_file, tmp_path, port) as master:
        link = make_link(port, key)
        assert answer(port, "/metrics", OLD_TOKEN) == 200
        assert redirect_status(port, link) == 302
        # The key leaked: a new metrics token and secret key in the file, the old key dropped.
        set_in_file(env_file, SHARETRACK_METRICS_TOKEN=NEW_TOKEN, SHARETRACK_SECRET_KEY=NEW_KEY)
        before = workers_of(master.pid)
        master.send_signal(signal.SIGHUP)
        wait_for(lambda: len(workers_of(master.pid) - before) == 1, master)
        wait_for(lambda: not (workers_of(master.pid) & before), master)
        # New workers, the master's old environment: a reload changes nothing.
        assert answer(port, "/metrics", OLD_TOKEN) == 200
        assert answer(port, "/metrics", NEW_TOKEN) == 401
        assert redirect_status(port, link) == 302
    # What docs/deploy.md says: restart, and the file is read again.
    with service(env_file, tmp_path, port):
        assert answer(port, "/metrics", OLD_TOKEN) == 401
        assert answer(port, "/metrics", NEW_TOKEN) == 200
        assert redirect_status(port, link) == 404  # signed with the leaked key: dead
    # A planned rotation keeps the old key in SECRET_KEYS: its links still verify.
    set_in_file(env_file, SHARETRACK_SECRET_KEYS=OLD_KEY)
    with service(env_file, tmp_path, port):
        assert redirect_status(port, link) == 302
    # No control socket: gunicorn 24+ would make one in $HOME or $XDG_RUNTIME_DIR.
    assert not list(tmp_path.glob("home/.gunicorn*")) and not (tmp_path / "runtime").exists()
    assert "Control server error" not in (tmp_path / "gunicorn.log").read_text()


def refused_start(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    env = live.environment(tmp_path, **settings)
    env |= {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "SHARETRACK_WORKERS": "3"}
    env["SHARETRACK_BIND"] = f"127.0.0.1:{live.free_port()}"
    return subprocess.run(  # noqa: S603 - the unit's own command
        unit_command(), cwd=live.ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"SHARETRACK_METRICS_TOKEN": "short"}, "METRICS_TOKEN is shorter than 24 bytes"),
        ({"SHARETRACK_SECRET_KEY": ""}, "refuses to start without a secret key"),
        ({"SHARETRACK_RATELIMIT_ENABLED": "true"}, "RATELIMIT_STORAGE_URI=memory://"),
    ],
)
def test_a_refused_setting_is_said_once_with_exit_code_78(tmp_path, settings, message):
    done = refused_start(tmp_path, **settings)
    assert done.returncode == EX_CONFIG, done.stderr
    assert done.stderr.count(message) == 1, done.stderr
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr
    assert len(done.stderr.splitlines()) < 15, done.stderr


def test_the_unit_does_not_restart_on_a_refused_setting_and_cannot_reload():
    settings = unit_settings("sharetrack.service")
    assert settings["Restart"] == "on-failure"
    assert str(EX_CONFIG) in settings["RestartPreventExitStatus"].split()
    # A reload would keep the old environment: `systemctl reload` must fail, not pretend.
    assert "ExecReload" not in settings
    assert re.search(r"^EX_CONFIG = 78$", (DEPLOY / "gunicorn.conf.py").read_text(), re.M)
