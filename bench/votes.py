"""Benchmark: the latency of a vote, beside a plain read of the same resource.

Starts the production server (gunicorn, DEBUG=0) on loopback against a fresh database (a
temporary SQLite file, or the PostgreSQL database named by --database-url, which is dropped and
made again), creates voters with API tokens, then alternates, request by request, between
PUT /api/v1/resources/{id}/vote/ (each voter flipping between up and down) and
GET /api/v1/resources/{id}/ in one run, so the machine's noise falls on both alike. Prints
p50 and p95 of each and the ratio vote/read.

    .venv/bin/python bench/votes.py [--requests 400] [--voters 20]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_votes]

Only the server this script starts is contacted (127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

SETUP = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from apps.accounts.models import User
from apps.accounts.services import api_token_create
from apps.roadmap.models import Resource, Roadmap, Section, Topic
roadmap = Roadmap.objects.create(slug="bench", title="Bench")
section = Section.objects.create(roadmap=roadmap, number=1, slug="s", title="S")
topic = Topic.objects.create(roadmap=roadmap, section=section, slug="t", title="T", order=1)
resource = Resource.objects.create(
    roadmap=roadmap, topic=topic, url="https://docs.example/a",
    normalized_url="https://docs.example/a", title="A", kind="docs", status="approved")
keys = []
for n in range(int(sys.argv[1])):
    user = User.objects.create_user(f"voter{n}", f"voter{n}@example.invalid", "bench-only-pw")
    keys.append(api_token_create(user=user, name="bench")[1])
print(json.dumps({"resource": resource.pk, "keys": keys}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def recreate_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    code = (
        "import psycopg,sys\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
        f"    c.execute('DROP DATABASE IF EXISTS {name}')\n"
        f"    c.execute('CREATE DATABASE {name}')\n"
    )
    subprocess.run([PYTHON, "-c", code, admin], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="of each kind")
    parser.add_argument("--voters", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-votes-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if database_url.startswith("postgres"):
        recreate_postgres(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CACHE_URL": "locmem:",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
        "API_TOKEN_LIMIT_PER_USER": "50",
    }
    setup = subprocess.run(
        [PYTHON, "-c", SETUP, str(args.voters)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    fixture = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "roadmap_site.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    resource = fixture["resource"]
    try:
        with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
            for _ in range(100):
                try:
                    client.get(f"/api/v1/resources/{resource}/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            headers = [
                {"Authorization": f"Bearer {key}", "X-Forwarded-Proto": "https"}
                for key in fixture["keys"]
            ]
            for auth in headers[:5]:  # warm-up
                client.put(f"/api/v1/resources/{resource}/vote/", json={"value": 1}, headers=auth)
            votes, reads = [], []
            value = dict.fromkeys(range(len(headers)), 1)
            for index in range(args.requests):
                voter = index % len(headers)
                value[voter] = -value[voter]
                start = time.perf_counter()
                response = client.put(
                    f"/api/v1/resources/{resource}/vote/",
                    json={"value": value[voter]},
                    headers=headers[voter],
                )
                votes.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text
                start = time.perf_counter()
                response = client.get(f"/api/v1/resources/{resource}/")
                reads.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text
            final = client.get(f"/api/v1/resources/{resource}/").json()
    finally:
        server.terminate()
        server.wait(timeout=10)

    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"database: {engine}; {args.requests} votes and {args.requests} reads, alternating")
    print(f"{'request':<28}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for name, values in (("PUT .../vote/", votes), ("GET /resources/{id}/", reads)):
        print(
            f"{name:<28}{percentile(values, 0.5):>10.2f}{percentile(values, 0.95):>10.2f}"
            f"{statistics.fmean(values):>10.2f}"
        )
    print(
        f"ratio vote/read: p50 {percentile(votes, 0.5) / percentile(reads, 0.5):.2f}, "
        f"p95 {percentile(votes, 0.95) / percentile(reads, 0.95):.2f}"
    )
    print(f"final counters: {final['upvotes']} up, {final['downvotes']} down")


if __name__ == "__main__":
    sys.exit(main())
