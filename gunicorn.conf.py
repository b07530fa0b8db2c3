"""gunicorn settings for the web container (and `make prod-smoke`)."""

import gc
import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
# TLS ends at the proxy, which sets X-Forwarded-Proto; only the proxy reaches this port.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# No `gunicornc` control socket: nothing here uses it, and it would be made under $HOME, which a
# read-only root filesystem (the Kubernetes pods) refuses. Everything gunicorn writes is in /tmp.
control_socket_disable = True


def on_starting(server) -> None:
    """Start with an empty folder for the workers' shared Prometheus metrics."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker) -> None:
    """Take what the worker has loaded (Django, the URLconf, the models: most of its objects,
    kept for its whole life) out of the collector's full passes. Each full pass scanned them
    all: about 90 ms at a time, every few renderings of a page at 100x content, the most of the
    slowest answers' time (issue 18). Objects made later are collected as before."""
    gc.freeze()
