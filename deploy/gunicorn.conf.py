"""gunicorn settings for sharetrack: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be overridden on the command line or by GUNICORN_CMD_ARGS. docs/deploy.md
explains each choice.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

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

# prometheus-client's multiprocess mode: each worker writes its metrics to files here, and
# /metrics sums them. It must be set before the app (and prometheus_client) is imported.
# systemd gives a fresh RuntimeDirectory; elsewhere a private temporary folder is made.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="sharetrack-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    """Start counting from zero: files left by a previous run would be summed in."""
    folder = Path(_metrics_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def post_worker_init(worker):
    """Refuse per-worker rate limits: with memory storage each worker would count alone."""
    config = worker.wsgi.config
    storage = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if worker.cfg.workers > 1 and config.get("RATELIMIT_ENABLED") and storage == "memory://":
        # A boot error (exit code 3) stops the whole server, with this message in its log.
        worker.log.error(
            "%d workers with RATELIMIT_STORAGE_URI=memory:// would each count their own "
            "limits; set SHARETRACK_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 "
            "(or run one worker).",
            worker.cfg.workers,
        )
        raise SystemExit(3)


def child_exit(server, worker):
    """A worker is gone: drop its live gauges from the metrics files (counters stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
