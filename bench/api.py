"""Benchmark: the roadmap tree endpoint against the same bytes served as a static file.

Starts the production server (gunicorn, 2 workers, DEBUG=0) on loopback against a fresh
database (the seed imported and enriched, or `seed_synthetic --scale N` with --scale), writes the
tree's bytes into the static root, then drives both URLs with wrk, alternating between them
round by round in one run so that the machine's noise falls on both alike. Prints each rate,
their medians and the ratio tree/static. Goal: at least 0.8.

    .venv/bin/python bench/api.py [--rounds 5] [--seconds 5] [--scale N]
        [--connections 8] [--cache-url redis://127.0.0.1:6379/13]

Only servers this script starts are contacted (127.0.0.1). Needs `wrk` (Debian's package).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

# Whitenoise serves STATIC_ROOT; this settings module points it at the benchmark's own folder.
SETTINGS_MODULE = """
import os
from pathlib import Path
from roadmap_site.settings import *  # noqa: F403
STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited before answering")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer {url} within {timeout} s")


def wrk(url: str, seconds: int, connections: int) -> float:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"wrk saw errors for {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def seed_site(env: dict[str, str], *, scale: int | None) -> str:
    """Migrate, import the seed and its enrichment (or `seed_synthetic --scale N` on top), and
    collect the static files; returns the benchmarked roadmap's slug."""
    manage = [str(PYTHON), "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "import_roadmap", "fixtures/ml-engineer-roadmap.md", "--slug=ml-engineer"], env)
    run([*manage, "load_enrichment", "fixtures/ml-engineer-enrichment.json"], env)
    slug = "ml-engineer"
    if scale:
        run([*manage, "seed_synthetic", "--scale", str(scale)], env)
        slug = "synthetic"
    run([*manage, "collectstatic", "--noinput", "-v0"], env)
    return slug


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--scale", type=int, default=0, help="bench seed_synthetic --scale N")
    parser.add_argument("--cache-url", default="", help="e.g. redis://127.0.0.1:6379/13")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    try:
        (work / "benchsettings.py").write_text(SETTINGS_MODULE)
        static_root = work / "static"
        env = {
            **os.environ,
            "PYTHONPATH": f"{work}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "benchsettings",
            "BENCH_STATIC_ROOT": str(static_root),
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "memory://",
            "CACHE_URL": options.cache_url or "locmem://",
            "LOG_LEVEL": "WARNING",
        }
        slug = seed_site(env, scale=options.scale)
        tree_path = f"/api/v1/roadmaps/{slug}/"

        # The tree's bytes, written as a static file before the server starts (whitenoise
        # indexes STATIC_ROOT at start-up when DEBUG is off).
        tree_file = static_root / "bench" / "tree.json"
        tree_file.parent.mkdir(parents=True, exist_ok=True)
        run(
            [str(PYTHON), "-c", (
                "import django, pathlib; django.setup();"
                "from django.test import Client;"
                f"r = Client().get('{tree_path}', HTTP_HOST='127.0.0.1');"
                f"pathlib.Path('{tree_file}').write_bytes(r.content)"
            )],
            env,
        )  # fmt: skip

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(GUNICORN), "roadmap_site.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            tree_url, static_url = base + tree_path, base + "/static/bench/tree.json"
            wait_until_up(static_url, server)
            status_tree, served_tree = fetch(tree_url)
            status_static, served_static = fetch(static_url)
            if (status_tree, status_static) != (200, 200) or served_tree != served_static:
                sys.exit("the tree endpoint and the static file do not serve the same bytes")
            for _ in range(2):  # warm both workers' caches and connections
                wrk(tree_url, 1, options.connections)
                wrk(static_url, 1, options.connections)
            print(
                f"tree {tree_path}: {len(served_tree)} bytes; gunicorn 2 workers, DEBUG=0, "
                f"cache {env['CACHE_URL']}; wrk -t1 -c{options.connections} "
                f"-d{options.seconds}s x {options.rounds} rounds"
            )
            rates: dict[str, list[float]] = {"tree": [], "static": []}
            for number in range(1, options.rounds + 1):
                # Alternate which goes first, so neither always follows the other.
                order = [("tree", tree_url), ("static", static_url)]
                if number % 2 == 0:
                    order.reverse()
                for name, url in order:
                    rates[name].append(wrk(url, options.seconds, options.connections))
                print(
                    f"round {number}: tree {rates['tree'][-1]:8.1f} req/s   "
                    f"static {rates['static'][-1]:8.1f} req/s"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
        tree_rate = statistics.median(rates["tree"])
        static_rate = statistics.median(rates["static"])
        print(f"median: tree {tree_rate:.1f} req/s, static file {static_rate:.1f} req/s")
        print(f"ratio tree/static: {tree_rate / static_rate:.2f} (goal: at least 0.80)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
