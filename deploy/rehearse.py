"""Rehearse docs/deploy.md on this machine: `make rehearse` (as root, Debian 12).

Runs every command block of the guide marked `<!-- rehearse: NAME -->`, each once, in the
order of a host's life, and checks what each should have done: the previous release
installed, gunicorn and Caddy started as the units start them, /healthz, a click, a staff
sign-in and /metrics through the proxy, the timers' commands, a backup and a restore, a key
and token rotation, an upgrade to this commit (counting failed requests meanwhile) and a
rollback. The guide's text is the script: only these changes make it run on a shared machine:

- paths: /srv/sharetrack, /etc/sharetrack, /etc/systemd/system, /etc/caddy, /var/backups,
  /var/log/caddy and /run/sharetrack live under a temporary root, in the commands and in the
  unit files and Caddyfile as read; deploy/flask is told the environment file's place;
- the repository's address is this checkout; the releases are commits (the previous release
  is the newest ancestor that has this script, else this commit);
- no systemd as PID 1: `systemctl` is a shim that starts each unit's ExecStart with its User,
  WorkingDirectory, EnvironmentFile, Environment and RuntimeDirectory, waits for READY=1
  (Type=notify), stops with TERM then KILL, and refuses `reload` when the unit has no
  ExecReload, as systemd does; `apt-get install` only checks the packages are installed;
- ports: gunicorn and Caddy on free loopback ports; Caddy's site is https://127.0.0.1:PORT
  with its own local certificate authority, which curl and the checks trust;
- the environment file gets SHARETRACK_BASE_URL and SHARETRACK_BIND for those ports.

It creates the system user `sharetrack` and the PostgreSQL role and database `sharetrack`
(refusing to start if any exists), and removes them, the processes and the temporary root at
the end, whatever happened. Every block and the whole run have a time limit.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GUIDE = REPO / "docs" / "deploy.md"
MARKED = re.compile(r"^( *)<!-- rehearse: (\S+) -->\n\1```sh\n(.*?)\n\1```", re.M | re.S)
ORDER = [
    "install", "database", "settings", "first-start", "api-key", "timers", "backup",
    "restore", "rotate-token", "rotate-key", "upgrade", "rollback",
]  # fmt: skip
# Files a release must have for the guide to install it (the previous release's layout).
LAYOUT = ("deploy/rehearse.py", "deploy/sharetrack-worker.service")
BLOCK_SECONDS = 600
TOTAL_SECONDS = 1500
PASSWORD = "rehearsal password 0123456789"  # noqa: S105 - a throwaway account's
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def guide_blocks() -> dict[str, str]:
    """The guide's marked blocks by name, dedented."""
    found = {}
    for match in MARKED.finditer(GUIDE.read_text()):
        name, body = match[2], textwrap.dedent(match[1] + match[3])
        if name in found:
            raise SystemExit(f"docs/deploy.md marks two blocks {name!r}")
        found[name] = body
    if sorted(found) != sorted(ORDER):
        raise SystemExit(
            f"docs/deploy.md marks {sorted(found)}; the rehearsal runs {sorted(ORDER)}: "
            "add the new block to ORDER (and a check of what it does)"
        )
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stage:
    """The temporary root, the ports, and how the guide's text is moved onto them."""

    def __init__(self, root: Path, ports: dict[str, int] | None = None):
        self.root = root
        self.ports = ports or {name: free_port() for name in ("app", "https", "http", "admin")}

    @classmethod
    def load(cls) -> Stage:
        root = Path(os.environ["REHEARSAL_ROOT"])
        return cls(root, json.loads((root / "ports.json").read_text()))

    def save(self) -> None:
        (self.root / "ports.json").write_text(json.dumps(self.ports))

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.ports['https']}"

    def moved(self, text: str) -> str:
        """The text with the guide's host paths and addresses replaced by the stage's."""
        for path in (
            "/srv/sharetrack", "/etc/sharetrack", "/etc/systemd/system", "/etc/caddy",
            "/var/backups/sharetrack", "/var/log/caddy", "/run/sharetrack",
        ):  # fmt: skip
            pattern = r"(?<![\w/.-])" + re.escape(path) + r"(?![\w.-])"
            text = re.sub(pattern, lambda _, p=path: str(self.root) + p, text)
        text = text.replace("https://example.org/sharetrack.git", str(REPO))
        text = text.replace("127.0.0.1:8000", f"127.0.0.1:{self.ports['app']}")
        return text.replace("share.example.org", f"127.0.0.1:{self.ports['https']}")

    def path(self, host_path: str) -> Path:
        return Path(self.moved(host_path))

    @property
    def caddy_root_cert(self) -> Path:
        return self.root / "caddy/data/caddy/pki/authorities/local/root.crt"

    def environment(self) -> dict[str, str]:
        """What the guide's commands run with: root's environment (pip's proxies and
        indexes included) without the project's settings, the shims first on PATH."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SHARETRACK_", "FLASK_", "VIRTUAL_ENV", "PYTHON"))
            and k not in ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")
        }
        return env | {
            "PATH": f"{self.root / 'bin'}:{SYSTEM_PATH}",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "REHEARSAL_ROOT": str(self.root),
            "SHARETRACK_ENV_FILE": str(self.path("/etc/sharetrack/env")),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }


# -- the systemctl shim -------------------------------------------------------------------


def unit_text(stage: Stage, name: str) -> str:
    if name == "caddy.service":  # Debian's unit, as the caddy package installs it
        return stage.moved(
            "[Service]\nType=notify\nExecStart=/usr/bin/caddy run --environ --config "
            "/etc/caddy/Caddyfile.rehearsal --adapter caddyfile\n"
            "ExecReload=/usr/bin/caddy reload --config /etc/caddy/Caddyfile.rehearsal "
            "--adapter caddyfile --force\n"
        )
    return stage.moved((stage.path("/etc/systemd/system") / name).read_text())


def unit_settings(text: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip().strip("'\"")
    return out


def caddy_config(stage: Stage) -> None:
    """/etc/caddy/Caddyfile as the guide made it, on the stage's ports and local certificates."""
    text = stage.moved(stage.path("/etc/caddy/Caddyfile").read_text())
    options = (
        f"\n\tadmin 127.0.0.1:{stage.ports['admin']}\n\thttp_port {stage.ports['http']}\n"
        f"\thttps_port {stage.ports['https']}\n\tlocal_certs\n\tskip_install_trust\n"
        "\tdefault_sni 127.0.0.1\n"
    )
    text = text.replace("{\n", "{" + options, 1)
    stage.path("/etc/caddy/Caddyfile.rehearsal").write_text(text)


def pid_file(stage: Stage, name: str) -> Path:
    return stage.root / "state" / f"{name}.pid"


def running(stage: Stage, name: str) -> int | None:
    path = pid_file(stage, name)
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None
    return None if state in ("Z", "X") else pid  # a zombie nobody reaped is gone too


def start(stage: Stage, name: str) -> int:
    if name.endswith(".timer"):  # no clock here: the rehearsal runs the services by hand
        (stage.root / "state" / name).write_text("enabled\n")
        return 0
    if running(stage, name):
        return 0
    if name == "caddy.service":
        caddy_config(stage)
    settings = unit_settings(unit_text(stage, name))
    user = pwd.getpwnam(settings.get("User", ["root"])[0])
    env = {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8", "HOME": user.pw_dir, "USER": user.pw_name}
    if name == "caddy.service":
        env |= {"XDG_DATA_HOME": str(stage.root / "caddy/data")}
        env |= {"XDG_CONFIG_HOME": str(stage.root / "caddy/config")}
    for path in settings.get("EnvironmentFile", []):
        env |= read_environment_file(Path(path.lstrip("-")))
    for item in settings.get("Environment", []):
        key, value = item.split("=", 1)
        env[key] = value
    for folder in settings.get("RuntimeDirectory", []):
        path = stage.root / "run" / folder
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        os.chown(path, user.pw_uid, user.pw_gid)
        path.chmod(int(settings.get("RuntimeDirectoryMode", ["0755"])[0], 8))
    kind = settings.get("Type", ["simple"])[0]
    notify = None
    if kind == "notify":
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        address = stage.root / "state" / f"{name}.notify"
        address.unlink(missing_ok=True)
        notify.bind(str(address))
        address.chmod(0o777)
        notify.settimeout(0.2)
        env["NOTIFY_SOCKET"] = str(address)
    log = open(stage.root / "log" / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(  # noqa: S603 - the unit's own command
        settings["ExecStart"][0].split(),
        cwd=settings.get("WorkingDirectory", ["/"])[0],
        env=env,
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    if kind == "oneshot":
        code = process.wait(timeout=BLOCK_SECONDS)
        if code:
            print(f"{name}: exited with {code} (see {stage.root}/log/{name}.log)")
        return code
    pid_file(stage, name).write_text(str(process.pid))
    if notify is None:
        return 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            if b"READY=1" in notify.recv(4096):
                return wait_for_certificate(stage) if name == "caddy.service" else 0
        if process.poll() is not None:
            print(f"Job for {name} failed: the process exited with {process.returncode}.")
            return 1
    print(f"Job for {name} timed out.")
    return 1


def wait_for_certificate(stage: Stage) -> int:
    """Caddy is ready before its local CA has issued the site's certificate: wait for it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            Browser(stage).call("GET", "/healthz")
            return 0
        time.sleep(0.2)
    print("Caddy serves no certificate the local CA signed")
    return 1


def stop(stage: Stage, name: str) -> int:
    if name.endswith(".timer"):
        (stage.root / "state" / name).unlink(missing_ok=True)
        return 0
    pid = running(stage, name)
    if pid:
        seconds = 30
        if name != "caddy.service":
            seconds = int(unit_settings(unit_text(stage, name)).get("TimeoutStopSec", ["90"])[0])
        os.kill(pid, signal.SIGTERM)  # KillMode=mixed: TERM to the main process
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and running(stage, name):
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # then whatever is left of it
    pid_file(stage, name).unlink(missing_ok=True)
    return 0


def reload(stage: Stage, name: str) -> int:
    if name == "caddy.service" and not running(stage, name):
        return start(stage, name)  # Debian's package starts Caddy when it is installed
    settings = unit_settings(unit_text(stage, name))
    if "ExecReload" not in settings:
        print(f"Failed to reload {name}: Job type reload is not applicable for unit {name}.")
        return 1
    if name == "caddy.service":
        caddy_config(stage)
    command = settings["ExecReload"][0].replace("$MAINPID", str(running(stage, name)))
    return subprocess.run(command.split(), check=False).returncode  # noqa: S603


def systemctl(args: list[str]) -> int:
    """The few systemctl verbs the guide uses, for units under the stage's root."""
    stage = Stage.load()
    (stage.root / "state").mkdir(exist_ok=True)
    verb, rest = args[0], [a for a in args[1:] if not a.startswith("-")]
    units = [u if "." in u else u + ".service" for u in rest]
    if verb == "daemon-reload":
        return 0
    if verb == "list-timers":
        for timer in sorted(stage.path("/etc/systemd/system").glob("sharetrack*.timer")):
            when = unit_settings(timer.read_text())["OnCalendar"][0]
            state = "enabled" if (stage.root / "state" / timer.name).exists() else "off"
            print(f"{timer.name:<36} {when:<24} {state}")
        return 0
    if verb == "enable":
        return max([start(stage, u) for u in units] if "--now" in args else [0])
    actions = {
        "start": lambda u: start(stage, u),
        "stop": lambda u: stop(stage, u),
        "restart": lambda u: stop(stage, u) or start(stage, u),
        "reload": lambda u: reload(stage, u),
    }
    if verb == "stop-all":
        units = [p.stem for p in (stage.root / "state").glob("*.pid")]
        verb = "stop"
    if verb not in actions:
        print(f"systemctl shim: {verb} is not rehearsed")
        return 2
    return max([actions[verb](u) for u in units] or [0])


def apt_get(args: list[str]) -> int:
    """`apt-get install PACKAGES` checks they are installed (the rehearsal installs nothing)."""
    missing = [
        name
        for name in args[1:]
        if not name.startswith("-")
        and subprocess.run(  # noqa: S603
            ["dpkg-query", "-W", "-f=${Status}", name],  # noqa: S607
            capture_output=True,
            text=True,
        ).stdout
        != "install ok installed"
    ]
    if missing:
        print(f"not installed: {' '.join(missing)} (apt-get install them first)")
    return 1 if missing else 0


# -- the checks ---------------------------------------------------------------------------


class Browser:
    """HTTPS through Caddy (its local CA trusted), cookies kept, redirects not followed."""

    def __init__(self, stage: Stage):
        self.stage = stage
        self.cookies: dict[str, str] = {}
        self.tls = ssl.create_default_context(cafile=str(stage.caddy_root_cert))

    def call(self, method: str, path: str, body: bytes | None = None, **headers: str):
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.stage.ports["https"], context=self.tls, timeout=20
        )
        headers = {"User-Agent": BROWSER, **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, text

    def api(self, method: str, path: str, key: str, payload: dict | None = None):
        body = json.dumps(payload).encode() if payload is not None else None
        status, _, text = self.call(
            method,
            path,
            body,
            Authorization=f"Bearer {key}",
            **({"Content-Type": "application/json"} if body else {}),
        )
        return status, json.loads(text) if text.startswith(("{", "[")) else text


def direct(stage: Stage, path: str, token: str | None = None) -> int:
    """The status of GET path on gunicorn itself (where Prometheus scrapes)."""
    connection = http.client.HTTPConnection("127.0.0.1", stage.ports["app"], timeout=20)
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
    status = connection.getresponse().status
    connection.close()
    return status


def queue_up(stage: Stage, token: str) -> bool:
    """Whether /metrics (on 127.0.0.1) says the task queue's storage answered."""
    connection = http.client.HTTPConnection("127.0.0.1", stage.ports["app"], timeout=10)
    connection.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
    return "\nsharetrack_queue_up 1\n" in connection.getresponse().read().decode()


def setting(stage: Stage, name: str) -> str:
    return read_environment_file(stage.path("/etc/sharetrack/env")).get(name, "")


def check(condition: bool, what: str) -> None:
    print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)
    if not condition:
        raise SystemExit(f"rehearsal failed: {what}")


def sign_in(browser: Browser) -> str:
    status, _, page = browser.call("GET", "/staff/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    check(status == 200 and token is not None, "the sign-in page answers with its form")
    form = f"email=you%40example.org&password={PASSWORD.replace(' ', '+')}&csrf_token={token[1]}"
    status, headers, page = browser.call(
        "POST",
        "/staff/login",
        form.encode(),
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": browser.stage.origin,
            "Referer": browser.stage.origin + "/staff/login",
        },
    )
    check(status == 302, f"staff sign-in through the proxy on port {browser.stage.ports['https']}")
    check(browser.call("GET", headers["Location"])[0] == 200, "the signed-in page opens")
    return headers["Location"]


def clicks(browser: Browser, key: str) -> int:
    status, report = browser.api("GET", "/api/v1/campaigns/rehearsal/report", key)
    check(status == 200, "the campaign's report answers")
    return int(report["totals"]["clicks"])


class Load(threading.Thread):
    """Clicks and /healthz through Caddy until stopped; counts what did not succeed."""

    def __init__(self, browser: Browser, link: str):
        super().__init__(daemon=True)
        self.browser, self.link = browser, link
        self.done, self.failed, self.halt = 0, [], threading.Event()

    def run(self) -> None:
        browser = Browser(self.browser.stage)
        while not self.halt.is_set():
            for path, ok in ((f"/s/{self.link}", 302), ("/healthz", 200)):
                try:
                    status = browser.call("GET", path)[0]
                except OSError as exc:
                    status = repr(exc)
                self.done += 1
                if status != ok:
                    self.failed.append((path, status))
            time.sleep(0.02)


# -- the run ------------------------------------------------------------------------------


def previous_release() -> str:
    """The newest ancestor of HEAD with the release layout (this script and the worker's unit,
    which the guide starts), else HEAD itself."""
    head = git("rev-parse", "HEAD")
    for commit in git("rev-list", "--max-count=200", "HEAD^@").split():
        if all(
            subprocess.run(  # noqa: S603
                ["git", "-C", str(REPO), "cat-file", "-e", f"{commit}:{path}"],  # noqa: S607
                capture_output=True,
            ).returncode
            == 0
            for path in LAYOUT
        ):
            return commit
    print("no earlier commit has the release layout: the upgrade goes from HEAD to HEAD")
    return head


def git(*args: str) -> str:
    return subprocess.run(  # noqa: S603
        ["git", "-C", str(REPO), *args],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,  # noqa: S607
    ).stdout.strip()


def run_block(stage: Stage, blocks: dict, name: str, stdin: str = "", **values: str) -> str:
    """One marked block of the guide, moved onto the stage; `values` replace its
    `name=value` assignments (the release, the dump). Returns its standard output."""
    text = stage.moved(blocks[name])
    for variable, value in values.items():
        text, count = re.subn(rf"\b{variable}=\S+", f"{variable}={value}", text, count=1)
        assert count == 1, f"block {name} sets no {variable}"
    print(f"\n== {name}\n{textwrap.indent(text, '   $ ')}", flush=True)
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603
        ["bash", "-euo", "pipefail", "-c", text],  # noqa: S607
        cwd=stage.root,
        env=stage.environment(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=BLOCK_SECONDS,
        start_new_session=True,  # no terminal: create-staff reads its password from stdin
    )
    output = (done.stdout + done.stderr).strip()
    if output:
        print(textwrap.indent(output[-3000:], "   | "))
    check(done.returncode == 0, f"block {name} ran ({time.monotonic() - started:.1f} s)")
    return done.stdout


def rehearse(stage: Stage) -> None:
    blocks = guide_blocks()
    previous, current = previous_release(), git("rev-parse", "HEAD")
    print(f"previous release {previous[:12]}, current {current[:12]}")

    run_block(stage, blocks, "install", release=previous[:12])
    check(stage.path("/srv/sharetrack/current").resolve().name == previous[:12], "current → it")
    run_block(stage, blocks, "database")
    run_block(stage, blocks, "settings")
    env_file = stage.path("/etc/sharetrack/env")
    check(oct(env_file.stat().st_mode & 0o777) == "0o640", "the environment file is 0640")
    check(len(setting(stage, "SHARETRACK_SECRET_KEY")) > 40, "secrets were filled in")
    with env_file.open("a") as out:  # the stage's origin and port (see the docstring)
        out.write(f"SHARETRACK_BASE_URL={stage.origin}\n")
        out.write(f"SHARETRACK_BIND=127.0.0.1:{stage.ports['app']}\n")
    run_block(stage, blocks, "first-start", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    key = run_block(stage, blocks, "api-key").strip().splitlines()[-1]
    check(running(stage, "sharetrack-worker.service") is not None, "the queue's worker runs")

    browser = Browser(stage)
    check(browser.call("GET", "/healthz")[0] == 200, "/healthz through Caddy (TLS)")
    campaign = {"slug": "rehearsal", "title": "Rehearsal", "landing_url": "https://case.example/"}
    check(browser.api("POST", "/api/v1/campaigns", key, campaign)[0] == 201, "a campaign")
    status, share = browser.api(
        "POST", "/api/v1/shares", key, {"campaign": "rehearsal", "channel": "x"}
    )
    check(status == 201, "a share link")
    link = share["token"]
    status, headers, _ = browser.call("GET", f"/s/{link}")
    check(status == 302 and "case.example" in headers["Location"], "a click redirects")
    staff_page = sign_in(browser)
    check(browser.call("GET", "/metrics")[0] == 404, "/metrics is refused through the proxy")
    token = setting(stage, "SHARETRACK_METRICS_TOKEN")
    check(direct(stage, "/metrics", token) == 200, "/metrics on 127.0.0.1 with the token")
    check(queue_up(stage, token), "/metrics: the task queue's storage answers")

    run_block(stage, blocks, "timers")
    before = clicks(browser, key)
    check(before == 1, "the click is counted")
    run_block(stage, blocks, "backup")
    dumps = list(stage.path("/var/backups/sharetrack").glob("*.dump"))
    folder = stage.path("/var/backups/sharetrack").stat()
    check(len(dumps) == 1, "a backup was written")
    check(
        folder.st_mode & 0o777 == 0o700 and pwd.getpwuid(folder.st_uid).pw_name == "sharetrack",
        "the backups folder is the service user's, 0700",
    )
    check(dumps[0].stat().st_mode & 0o777 == 0o600, "the backup is 0600")
    browser.call("GET", f"/s/{link}")
    check(clicks(browser, key) == before + 1, "a click after the backup")
    run_block(stage, blocks, "restore", dump=str(dumps[0]))
    check(clicks(browser, key) == before, "the restore brought back the backup's count")

    run_block(stage, blocks, "rotate-token")
    new_token = setting(stage, "SHARETRACK_METRICS_TOKEN")
    check(direct(stage, "/metrics", token) == 401, "the old metrics token is refused")
    check(direct(stage, "/metrics", new_token) == 200, "the new metrics token is accepted")
    refused = subprocess.run(  # noqa: S603
        ["systemctl", "reload", "sharetrack"],  # noqa: S607
        env=stage.environment(),
        capture_output=True,
        text=True,
    )
    check(refused.returncode != 0, "`systemctl reload sharetrack` fails instead of pretending")
    run_block(stage, blocks, "rotate-key")
    check(browser.call("GET", f"/s/{link}")[0] == 302, "a link of the old key still works")
    check(browser.call("GET", staff_page)[0] == 302, "staff sessions of the old key ended")

    load = Load(browser, link)
    load.start()
    run_block(stage, blocks, "upgrade", release=current[:12])
    time.sleep(1)
    load.halt.set()
    load.join()
    print(f"  {load.done} requests through Caddy during the upgrade, {len(load.failed)} failed")
    check(not load.failed, f"no request failed during the upgrade's restart {load.failed[:5]}")
    check(stage.path("/srv/sharetrack/current").resolve().name == current[:12], "current → new")
    check(running(stage, "sharetrack-worker.service") is not None, "the worker runs again")
    check(browser.call("GET", f"/s/{link}")[0] == 302, "the link works on the new release")
    pre = stage.path("/var/backups/sharetrack") / f"pre-{current[:12]}.dump"
    check(pre.exists() and pre.stat().st_mode & 0o777 == 0o600, "the upgrade backed up first")
    run_block(stage, blocks, "rollback", previous=previous[:12])
    check(stage.path("/srv/sharetrack/current").resolve().name == previous[:12], "rolled back")
    check(browser.call("GET", "/healthz")[0] == 200, "the previous release serves")


def postgres(*sql: str) -> str:
    return subprocess.run(  # noqa: S603
        ["runuser", "-u", "postgres", "--", "psql", "-XAtq", *[f"-c{q}" for q in sql]],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout.strip()


def refuse_if_taken() -> None:
    """Never touch what is not the rehearsal's: the user, role and database must be new."""
    with contextlib.suppress(KeyError):
        pwd.getpwnam("sharetrack")
        raise SystemExit("a user `sharetrack` exists: the rehearsal makes and removes its own")
    taken = postgres(
        "SELECT count(*) FROM pg_roles WHERE rolname = 'sharetrack'",
        "SELECT count(*) FROM pg_database WHERE datname = 'sharetrack'",
    )
    if taken.split() != ["0", "0"]:
        raise SystemExit("PostgreSQL has a role or database `sharetrack`: remove it first")


def clean_up(stage: Stage) -> None:
    env = stage.environment()
    subprocess.run(["systemctl", "stop-all"], env=env, check=False)  # noqa: S607
    subprocess.run(  # noqa: S603
        ["runuser", "-u", "postgres", "--", "dropdb", "--if-exists", "--force", "sharetrack"],  # noqa: S607
        cwd="/",
        check=False,
    )
    subprocess.run(  # noqa: S603
        ["runuser", "-u", "postgres", "--", "dropuser", "--if-exists", "sharetrack"],  # noqa: S607
        cwd="/",
        check=False,
    )
    with contextlib.suppress(KeyError):
        pwd.getpwnam("sharetrack")
        subprocess.run(["deluser", "--quiet", "--system", "sharetrack"], check=False)  # noqa: S607
        subprocess.run(["delgroup", "--quiet", "--system", "sharetrack"], check=False)  # noqa: S607
    shutil.rmtree(stage.root, ignore_errors=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "systemctl":
        return systemctl(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "apt-get":
        return apt_get(sys.argv[2:])
    if os.geteuid() != 0:
        raise SystemExit("the rehearsal runs the guide's commands as root")
    lock = open("/tmp/sharetrack-rehearsal.lock", "w")  # noqa: S108, SIM115 - held until exit
    fcntl.flock(lock, fcntl.LOCK_EX)
    refuse_if_taken()
    guide_blocks()
    root = Path(tempfile.mkdtemp(prefix="sharetrack-rehearsal-"))
    root.chmod(0o755)  # the service user reads its release and settings below it
    stage = Stage(root)
    stage.save()
    for folder in ("bin", "state", "log", "run", "srv", "etc/systemd/system", "etc/caddy"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for folder in ("var/backups", "var/log/caddy", "caddy/data", "caddy/config"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for shim in ("systemctl", "apt-get"):
        (root / "bin" / shim).write_text(
            f'#!/bin/sh\nexec {sys.executable} {Path(__file__).resolve()} {shim} "$@"\n'
        )
    # curl trusts Caddy's local certificate authority (a public domain's needs nothing).
    (root / "bin" / "curl").write_text(
        f'#!/bin/sh\nexec /usr/bin/curl --cacert {stage.caddy_root_cert} "$@"\n'
    )
    for shim in (root / "bin").iterdir():
        shim.chmod(0o755)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("too long")))
    signal.alarm(TOTAL_SECONDS)
    started = time.monotonic()
    try:
        rehearse(stage)
    except BaseException:
        for log in sorted((root / "log").glob("*.log")):
            print(f"\n== {log.name} (last lines)\n{log.read_text()[-2500:]}")
        raise
    finally:
        signal.alarm(0)
        clean_up(stage)
    print(f"\nrehearsal passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
