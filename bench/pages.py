"""Benchmark: the site's pages against the same bytes served as static files (issue 18).

Starts gunicorn with the production defaults as shipped (gunicorn.conf.py with 2 workers and
its access log, DEBUG=0, the settings' default LOG_LEVEL, the cache on Redis) on loopback
against a fresh PostgreSQL database next to DATABASE_URL's (the seed imported and enriched, or
`seed_synthetic --scale N` with --scale), with `X-Forwarded-Proto: https` on every request as
the proxy sends it. Each page is fetched once and its bytes written as a static file; then wrk
drives page and file in alternating rounds in one run, so the machine's noise falls on both.
Prints, per page, the median req/s of the page and of its file, the ratio and the issue's goal.

    .venv/bin/python bench/pages.py [--rounds 3] [--seconds 3] [--scale N] [--connections 8]
        [--port P] [--only NAME ...]   (e.g. --only faq --only "tree API, 304")

Needs DATABASE_URL (a PostgreSQL database; the bench creates and drops its own next to it) and
REDIS_URL (the bench flushes that Redis database). Only servers this script starts, and those
two, are contacted (127.0.0.1). Needs `wrk` (Debian's package).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from api import GUNICORN, PYTHON, ROOT, SETTINGS_MODULE, free_port, run, seed_site

Page = tuple[str, str, dict[str, str], float]  # name, path, headers, goal
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
REVALIDATE = "If-None-Match"
TREE, TREE_304 = "tree API", "tree API, 304"

# Run inside the bench's settings: a learner, enrolled, signed in, with the CSRF cookie a
# browser holds after its first page (without it every answer makes and sets a new one); the
# paths of a phase and a topic; prints them as JSON.
SETUP = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from apps.accounts.models import User
from apps.progress.services import enrollment_put
from apps.roadmap.models import Roadmap
roadmap = Roadmap.objects.get(slug={slug!r})
user = User.objects.create_user(username="bench-learner", email="learner@bench.example",
                                password={password!r})
enrollment_put(user=user, roadmap=roadmap)
client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
client.force_login(user)
client.get("/roadmaps/{slug}/dashboard/", secure=True)  # the CSRF cookie, as a browser keeps it
phase = roadmap.phases.order_by("pk").first()
topic = roadmap.topics.order_by("order").first()
names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
print(json.dumps({{
    "cookie": "; ".join(f"{{name}}={{client.cookies[name].value}}" for name in names),
    "phase": phase.slug, "topic": topic.slug,
}}))
"""


def admin_dsn(database_url: str, name: str) -> tuple[str, str]:
    """The maintenance database's URL on the same server, and the bench's database URL."""
    parts = urllib.parse.urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("DATABASE_URL must name a PostgreSQL database")
    return parts._replace(path="/postgres").geturl(), parts._replace(path=f"/{name}").geturl()


def database(admin_url: str, name: str, *, create: bool) -> None:
    code = (
        "import psycopg, sys;"
        "c = psycopg.connect(sys.argv[1], autocommit=True);"
        f"c.execute('DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)');"
        + (f"c.execute('CREATE DATABASE \"{name}\"')" if create else "")
    )
    run([str(PYTHON), "-c", code, admin_url], dict(os.environ))


def get(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """gunicorn as shipped (gunicorn.conf.py), 2 workers, on loopback; its logs go to a file."""
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "roadmap_site.wsgi:application"],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited before answering; see {log}")
        try:
            get(f"http://127.0.0.1:{port}/healthz", PROXY_HEADERS)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=20)


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> float:
    """Requests per second; every answer must be a 2xx, or a 304 when revalidating."""
    flags = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", *flags, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if ("Non-2xx" in output and REVALIDATE not in headers) or "Socket errors" in output:
        sys.exit(f"wrk saw errors for {url}:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        sys.exit(f"no rate in wrk's output for {url}:\n{output}")
    return float(match.group(1))


def with_etag(base: str, page: Page) -> Page:
    """A page to revalidate gets the ETag its plain GET answers."""
    name, path, headers, goal = page
    if REVALIDATE not in headers:
        return page
    plain = {key: value for key, value in headers.items() if key != REVALIDATE}
    request = urllib.request.Request(base + path, headers=plain)
    with urllib.request.urlopen(request, timeout=30) as answer:
        etag = answer.headers["ETag"]
    revalidating = {**plain, REVALIDATE: etag}
    status, _body = get(base + path, revalidating)
    if status != 304:
        sys.exit(f"{name} {path} answered {status} to its own ETag, not 304")
    return name, path, revalidating, goal


def write_copies(
    base: str, pages: list[Page], static_root: Path, log: Path
) -> tuple[list[Page], list[tuple[str, int]]]:
    """Fetch each page once; write its bytes into the static root; the pages that answered,
    and each one's file path and size. A page that fails is reported, with the server's log
    tail, and left out."""
    kept: list[Page] = []
    files: list[tuple[str, int]] = []
    for number, (name, path, headers, goal) in enumerate(pages):
        status, body = get(base + path, {k: v for k, v in headers.items() if k != REVALIDATE})
        if status != 200:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            print(f"{name} {path} answered {status}; left out. The server's log ends:\n{tail}")
            continue
        kept.append((name, path, headers, goal))
        suffix = ".json" if path.startswith("/api/") else ".html"
        target = static_root / "bench" / f"page{number}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        files.append((f"/static/bench/{target.name}", len(body)))
    return kept, files


def alternate(
    runs: list[tuple[str, str, dict[str, str]]], options: argparse.Namespace, drain: str
) -> dict[str, float]:
    """wrk on each (name, url, headers) in turn, round by round, the order reversed every other
    round so that none always follows another; the median req/s of each."""
    rates: dict[str, list[float]] = {name: [] for name, _url, _headers in runs}
    for number in range(options.rounds):
        for name, url, sent in runs if number % 2 == 0 else runs[::-1]:
            rates[name].append(wrk(url, options.seconds, options.connections, sent))
            # wrk leaves up to one request per connection in flight: let the workers finish
            # them, so that a slow page's backlog does not fall on the next run.
            get(drain, PROXY_HEADERS)
    return {name: statistics.median(found) for name, found in rates.items()}


def report(
    base: str, pages: list[Page], files: list[tuple[str, int]], options: argparse.Namespace
) -> None:
    """Alternate wrk rounds page/file for each page; print the medians, ratio and goal; then
    the tree's 304 against its 200, alternating the two."""
    print(
        f"gunicorn.conf.py, 2 workers, DEBUG=0, access log on, LOG_LEVEL default, "
        f"cache on Redis; wrk -t1 -c{options.connections} -d{options.seconds}s "
        f"x {options.rounds} rounds, page and file alternating; scale {options.scale or 1}"
    )
    header = f"{'page':<22}{'bytes':>9}{'page r/s':>10}{'file r/s':>10}{'ratio':>7}  goal"
    print(header)
    drain = base + files[0][0]
    for (name, path, headers, goal), (static_path, size) in zip(pages, files, strict=True):
        runs = [("page", base + path, headers), ("file", base + static_path, PROXY_HEADERS)]
        rates = alternate(runs, options, drain)
        ratio = rates["page"] / rates["file"] if rates["file"] else float("nan")
        verdict = "met" if ratio >= goal else "NOT met"
        print(
            f"{name:<22}{size:>9}{rates['page']:>10.1f}{rates['file']:>10.1f}{ratio:>7.2f}"
            f"  >= {goal:.1f} {verdict}   {path}",
            flush=True,
        )
    trees = {name: (path, headers) for name, path, headers, _goal in pages}
    if TREE in trees and TREE_304 in trees:
        # The 304 must be the cheaper answer: the same version query and no body.
        runs = [(name, base + trees[name][0], trees[name][1]) for name in (TREE_304, TREE)]
        rates = alternate(runs, options, drain)
        ratio = rates[TREE_304] / rates[TREE] if rates[TREE] else float("nan")
        verdict = "met" if ratio > 1 else "NOT met"
        print(
            f"{'tree 304 ÷ tree 200':<22}{'':>9}{rates[TREE_304]:>10.1f}{rates[TREE]:>10.1f}"
            f"{ratio:>7.2f}  > 1.0 {verdict}   (the 200's rate in the file column)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--scale", type=int, default=0, help="bench seed_synthetic --scale N")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--only", action="append", help="a page's name; repeat (default: all)")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must be set (see the docstring)")

    work = Path(tempfile.mkdtemp(prefix="roadmap-bench-pages-"))
    db_name = f"bench_pages_{os.getpid()}"
    admin_url, db_url = admin_dsn(os.environ["DATABASE_URL"], db_name)
    database(admin_url, db_name, create=True)
    try:
        (work / "benchsettings.py").write_text(SETTINGS_MODULE)
        static_root = work / "static"
        env = {
            **os.environ,
            "PYTHONPATH": f"{work}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "benchsettings",
            "BENCH_STATIC_ROOT": str(static_root),
            "DATABASE_URL": db_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        for name in ("LOG_LEVEL", "CACHE_URL", "CELERY_BROKER_URL", "SECURE_SSL_REDIRECT"):
            env.pop(name, None)  # the shipped defaults
        run([str(PYTHON), "-c", "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
             env["REDIS_URL"]], env)  # fmt: skip
        slug = seed_site(env, scale=options.scale)
        setup = SETUP.format(slug=slug, password=secrets.token_urlsafe(16))
        learner = json.loads(run([str(PYTHON), "-c", setup], env).strip().splitlines()[-1])
        signed_in = {**PROXY_HEADERS, "Cookie": learner["cookie"]}
        base_path = f"/roadmaps/{slug}/"
        # (name, path, headers, goal); the roadmap has no page per section (sections are
        # parts of the roadmap page), so there is none here.
        pages: list[Page] = [
            ("home", "/", PROXY_HEADERS, 0.5),
            ("roadmap", base_path, PROXY_HEADERS, 0.5),
            ("phase", f"{base_path}phases/{learner['phase']}/", PROXY_HEADERS, 0.5),
            ("topic", f"{base_path}topics/{learner['topic']}/", PROXY_HEADERS, 0.5),
            ("projects", f"{base_path}projects/", PROXY_HEADERS, 0.5),
            ("faq", f"{base_path}faq/", PROXY_HEADERS, 0.5),
            ("outcomes", f"{base_path}outcomes/", PROXY_HEADERS, 0.5),
            ("modlog", "/modlog/", PROXY_HEADERS, 0.5),
            (TREE, f"/api/v1/roadmaps/{slug}/", PROXY_HEADERS, 0.9),
            # The same with the ETag it answered: a 304 (its "bytes" are the 200's body).
            (TREE_304, f"/api/v1/roadmaps/{slug}/", {**PROXY_HEADERS, REVALIDATE: ""}, 0.9),
            ("roadmap, signed in", base_path, signed_in, 0.2),
            ("phase, signed in", f"{base_path}phases/{learner['phase']}/", signed_in, 0.2),
            ("topic, signed in", f"{base_path}topics/{learner['topic']}/", signed_in, 0.2),
            ("dashboard, signed in", f"{base_path}dashboard/", signed_in, 0.2),
        ]

        if options.only:
            wanted = set(options.only)
            if unknown := wanted - {page[0] for page in pages}:
                sys.exit(f"no such page: {', '.join(sorted(unknown))}")
            pages = [page for page in pages if page[0] in wanted]

        log = work / "gunicorn.log"
        port = options.port or free_port()
        base = f"http://127.0.0.1:{port}"
        # First run: fetch each page once and write its bytes into the static root (whitenoise
        # indexes STATIC_ROOT when it starts with DEBUG off, hence the second run).
        server = start(env, port, log)
        try:
            pages = [with_etag(base, page) for page in pages]
            pages, files = write_copies(base, pages, static_root, log)
        finally:
            stop(server)

        server = start(env, port, log)
        try:
            for (name, path, headers, _goal), (static_path, size) in zip(pages, files, strict=True):
                status, body = get(base + static_path, PROXY_HEADERS)
                if status != 200 or len(body) != size:
                    sys.exit(f"the static copy of {name} is not served as written")
                for _ in range(2):  # warm both workers' caches and connections
                    wrk(base + path, 1, options.connections, headers)
                    wrk(base + static_path, 1, options.connections, PROXY_HEADERS)
            report(base, pages, files, options)
        finally:
            stop(server)
    finally:
        database(admin_url, db_name, create=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
