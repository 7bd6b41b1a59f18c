"""gunicorn settings for sharetrack: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be overridden on the command line or by GUNICORN_CMD_ARGS. docs/deploy.md
explains each choice.
"""

import multiprocessing
import os
import shutil
import sys
import tempfile
from pathlib import Path

# The exit code of a refused setting (sysexits.h's EX_CONFIG): sharetrack.service does not
# restart on it (RestartPreventExitStatus=78), since the same settings would be refused again.
EX_CONFIG = 78

# Behind Caddy or nginx on the same host: listen on loopback only.
bind = os.environ.get("SHARETRACK_BIND", "127.0.0.1:8000")
# Sync workers, two per core plus one: the app waits on the database more than on the CPU.
workers = int(os.environ.get("SHARETRACK_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so no slow leak ever matters; jitter keeps them from all
# restarting together.
max_requests = 20000
max_requests_jitter = 2000
# The proxy logs requests; gunicorn logs errors only (no access log: no addresses kept here).
accesslog = None
errorlog = "-"
loglevel = "warning"
# The proxy is the only client: it sets X-Forwarded-For itself (see TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1,::1"
# No control socket (gunicorn 24+ makes one in $HOME, which the service user cannot write):
# systemd sends the signals. Older gunicorn ignores the setting.
control_socket_disable = True

# prometheus-client's multiprocess mode: each worker writes its metrics to files here, and
# /metrics sums them. It must be set before the app (and prometheus_client) is imported.
# systemd gives a fresh RuntimeDirectory; elsewhere a private temporary folder is made.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="sharetrack-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    """Start the metrics from zero (files left by a previous run would be summed in), then
    refuse bad settings once, in the master, before any worker starts."""
    folder = Path(_metrics_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    problem = refused_setting(server.cfg.workers)
    if problem:
        server.log.error("%s", problem)
        sys.exit(EX_CONFIG)


def refused_setting(workers: int) -> str | None:
    """What sharetrack refuses in these settings (the app's own checks, then the workers'
    rate limits), or None. The app is built and dropped here; each worker builds its own."""
    from sharetrack import create_app
    from sharetrack.config import ConfigError

    try:
        config = create_app().config
    except ConfigError as exc:
        return str(exc)
    storage = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if workers > 1 and config.get("RATELIMIT_ENABLED") and storage == "memory://":
        return (
            f"{workers} workers with RATELIMIT_STORAGE_URI=memory:// would each count their "
            "own limits; set SHARETRACK_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 "
            "(or run one worker)."
        )
    return None


def child_exit(server, worker):
    """A worker is gone: drop its live gauges from the metrics files (counters stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
