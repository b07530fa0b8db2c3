"""The production smoke run: compose's processes, natively, and one person's whole journey.

Starts what docker-compose.yml starts, with the same commands (gunicorn with DEBUG=0 and
gunicorn.conf.py, a Celery worker, Celery beat) against the local PostgreSQL (a fresh database
named `<name>_smoke`) and Redis (database 6, flushed), after the migrate service's steps and
collectstatic. Then, sending `X-Forwarded-Proto: https` as the proxy would:

1. signs up, confirms the email from the mail the site wrote, signs in, enrols at 5 h/week;
2. submits a resource whose URL is a loopback test server named in LINKCHECK_ALLOW_HOSTS;
3. approves it as a moderator (and sees the submitter's email go out through the worker);
4. asks for a check and sees the link check land through the worker.

    make prod-smoke            (or: .venv/bin/python deploy/smoke.py)

Reads DATABASE_URL (a postgres:// URL; default postgres://postgres@127.0.0.1:5432/roadmap) and
REDIS_URL (default redis://127.0.0.1:6379/0) for where the servers are. Contacts only the
loopback servers it starts. Exits non-zero, with the step that failed, on any failure.
"""

from __future__ import annotations

import http.server
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
ROADMAP = "ml-engineer"
TEST_HOST = "127.0.0.5"


class SmokeFailure(Exception):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- the loopback test server the submitted resource points at


class LinkTarget(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        type(self).hits += 1
        payload = b"<!doctype html><title>A guide</title><h1>A guide to testing ML code</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


# -- a small browser: cookies by hand (the site's cookies are Secure, the wire is plain HTTP
#    behind the "proxy"), CSRF tokens from forms, Origin and Referer as a browser sends them


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.origin = "https://" + urlsplit(base).netloc
        self.client = httpx.Client(base_url=base, timeout=20, trust_env=False)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": self.origin,
            "Referer": self.origin + path,
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in {"", '""'} or "max-age=0" in rest.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def submit_form(self, path: str, data: dict[str, str], *, page: str | None = None):
        html = self.get(page or path).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not token:
            raise SmokeFailure(f"no CSRF token in the form at {page or path}")
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": token.group(1)})


def expect(response: httpx.Response, status: int, what: str) -> httpx.Response:
    if response.status_code != status:
        raise SmokeFailure(
            f"{what}: expected {status}, got {response.status_code}: {response.text[:400]}"
        )
    return response


def wait_for(what: str, probe, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.5)
    raise SmokeFailure(f"timed out after {seconds:.0f} s waiting for {what}")


# -- setup


def database_urls() -> tuple[str, str]:
    """The smoke database's URL and the maintenance database's, from DATABASE_URL."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/roadmap")
    parts = urlsplit(base)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SmokeFailure("prod-smoke runs on PostgreSQL: set DATABASE_URL to a postgres:// URL")
    name = parts.path.lstrip("/") or "roadmap"
    smoke = urlunsplit(parts._replace(path=f"/{name}_smoke"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    return smoke, admin


def redis_url() -> str:
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(parts._replace(path="/6"))


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [BIN / "python", "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


MODERATOR_SETUP = """
from allauth.account.models import EmailAddress
from django.core.management import call_command
from apps.accounts.models import User
user = User.objects.create_user("smoke-moderator", "moderator@smoke.example", PASSWORD)
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
call_command("moderator", "add", "smoke-moderator")
"""


@dataclass
class Stack:
    """What one smoke run set up: where the site listens, its settings, its mail."""

    env: dict[str, str]
    workdir: Path
    mail_dir: Path
    web_port: int
    target_port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"


def stack_settings(smoke_db: str, broker: str) -> Stack:
    workdir = Path(tempfile.mkdtemp(prefix="roadmap-smoke-"))
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    web_port = free_port()
    target_port = free_port(TEST_HOST)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{web_port}",
        "DATABASE_URL": smoke_db,
        "REDIS_URL": broker,
        "EMAIL_URL": f"file:{mail_dir}",
        "LINKCHECK_ALLOW_HOSTS": f"{TEST_HOST}:{target_port}",
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus"),
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "WEB_CONCURRENCY": "2",
    }
    return Stack(env, workdir, mail_dir, web_port, target_port)


def fresh_stores(smoke_db: str, admin_db: str, broker: str) -> None:
    step(f"fresh database {smoke_db.rsplit('/', 1)[1]} and Redis database 6")
    subprocess.run(
        [BIN / "python", "-c", (
            "import psycopg, sys\n"
            "name = sys.argv[2]\n"
            "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
            "    c.execute(f'DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)')\n"
            "    c.execute(f'CREATE DATABASE \"{name}\"')\n"
        ), admin_db, smoke_db.rsplit("/", 1)[1]],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [BIN / "python", "-c", "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
         broker],
        check=True,
    )  # fmt: skip


def migrate_service(env: dict[str, str]) -> str:
    """What the migrate service does; returns the smoke moderator's password."""
    step("migrate service: migrate, import the roadmap, load the enrichment; collectstatic")
    manage(env, "migrate", "--noinput")
    manage(env, "import_roadmap", "fixtures/ml-engineer-roadmap.md", "--slug", ROADMAP)
    manage(env, "load_enrichment", "fixtures/ml-engineer-enrichment.json")
    manage(env, "collectstatic", "--noinput")
    password = secrets.token_urlsafe(16)
    manage(env, "shell", "-c", f"PASSWORD = {password!r}\n{MODERATOR_SETUP}")
    return password


def start_services(stack: Stack, processes: list[subprocess.Popen]) -> Browser:
    """Web, worker and beat; returns a browser once the web server and the worker answer."""
    env = stack.env
    step("web (gunicorn, DEBUG=0), worker and beat, as in docker-compose.yml")
    processes.append(
        subprocess.Popen(
            [BIN / "gunicorn", "--config", "gunicorn.conf.py", "roadmap_site.wsgi:application"],
            cwd=ROOT,
            env=env,
        )
    )
    processes.append(
        subprocess.Popen(
            [BIN / "celery", "-A", "roadmap_site", "worker", "--loglevel", "WARNING",
             "--concurrency", "2"],
            cwd=ROOT,
            env=env,
        )
    )  # fmt: skip
    processes.append(
        subprocess.Popen(
            [BIN / "celery", "-A", "roadmap_site", "beat", "--loglevel", "WARNING",
             "--schedule", str(stack.workdir / "celerybeat-schedule")],
            cwd=ROOT,
            env=env,
        )
    )  # fmt: skip
    browser = Browser(stack.base)

    def ready():
        try:
            return browser.get("/readyz").status_code == 200
        except httpx.TransportError:
            return False

    wait_for("the web server to be ready", ready, 60)
    wait_for(
        "the worker to answer",
        lambda: (
            subprocess.run(
                [BIN / "celery", "-A", "roadmap_site", "inspect", "ping", "--timeout", "2"],
                cwd=ROOT,
                env=env,
                capture_output=True,
            ).returncode
            == 0
        ),
        90,
    )
    plain = httpx.get(stack.base + "/", timeout=10, trust_env=False)
    expect(plain, 301, "plain HTTP is redirected to HTTPS")
    return browser


def sign_up(browser: Browser, mail_dir: Path) -> str:
    """Sign up, confirm the email, sign in; returns the learner's password."""
    step("sign up, confirm the email, sign in")
    user_password = secrets.token_urlsafe(16)
    signup = browser.submit_form(
        "/accounts/signup/",
        {
            "email": "learner@smoke.example",
            "username": "smoke-learner",
            "password1": user_password,
            "password2": user_password,
        },
    )
    if signup.status_code != 302:
        raise SmokeFailure(f"sign-up answered {signup.status_code}: {signup.text[:500]}")

    def confirmation_link():
        for message in sorted(mail_dir.glob("*.log")):
            found = re.search(
                r"https?://[^\s\"<>]+/accounts/confirm-email/[^\s\"<>]+/", message.read_text()
            )
            if found:
                return urlsplit(found.group(0)).path
        return None

    path = wait_for("the confirmation email", confirmation_link, 30)
    expect(browser.submit_form(path, {}), 302, "confirming the email")
    login = browser.submit_form(
        "/accounts/login/", {"login": "smoke-learner", "password": user_password}
    )
    expect(login, 302, "signing in")
    return user_password


def enrol(browser: Browser) -> None:
    step("enrol at 5 h/week and see the plan")
    enrolled = browser.submit_form(
        f"/roadmaps/{ROADMAP}/enrol/",
        {
            "start_date": date.today().isoformat(),
            "hours_per_week": "5",
            "background": "new_to_ml",
            "goal_project": "",
        },
    )
    expect(enrolled, 302, "enrolling")
    dashboard = expect(browser.get(f"/roadmaps/{ROADMAP}/dashboard/"), 200, "the dashboard")
    if "Week 1 of" not in dashboard.text:
        raise SmokeFailure("the dashboard does not show 'Week 1 of ...'")
    for header in ("Content-Security-Policy", "Strict-Transport-Security"):
        if header not in dashboard.headers:
            raise SmokeFailure(f"the dashboard has no {header} header")


def submit_and_check(stack: Stack, user_password: str, moderator_password: str) -> None:
    """Submit a resource on the loopback server, approve it, and see its link check land."""
    step("submit a resource on the loopback test server")
    api = httpx.Client(base_url=stack.base, timeout=20, trust_env=False,
                       headers={"X-Forwarded-Proto": "https"})  # fmt: skip

    def token_for(username: str, secret: str) -> dict[str, str]:
        response = api.post(
            "/api/v1/auth/token/",
            json={"username": username, "password": secret, "name": "smoke"},
        )
        expect(response, 201, f"a token for {username}")
        return {"Authorization": f"Bearer {response.json()['token']}"}

    learner = token_for("smoke-learner", user_password)
    url = f"http://{TEST_HOST}:{stack.target_port}/guide"
    submitted = api.post(
        "/api/v1/submissions/",
        headers=learner,
        json={"roadmap": ROADMAP, "topic": "testing", "url": url,
              "title": "A guide to testing ML code", "kind": "article"},
    )  # fmt: skip
    resource_id = expect(submitted, 201, "the submission").json()["id"]

    step("approve it as a moderator")
    moderator = token_for("smoke-moderator", moderator_password)
    approved = api.post(f"/api/v1/submissions/{resource_id}/approve/", headers=moderator, json={})
    expect(approved, 200, "the approval")

    def approval_mail():
        return any(
            "learner@smoke.example" in m.read_text() and "approved" in m.read_text().lower()
            for m in stack.mail_dir.glob("*.log")
        )

    wait_for("the approval email, sent by the worker", approval_mail, 60)

    step("ask for a check and see it land through the worker")
    expect(api.post(f"/api/v1/resources/{resource_id}/check/", headers=moderator), 202,
           "check now")  # fmt: skip

    def checked():
        response = api.get(f"/api/v1/resources/{resource_id}/checks/", headers=moderator)
        results = response.json().get("results", []) if response.status_code == 200 else []
        return results[0] if results else None

    check = wait_for("the link check", checked, 90)
    if check.get("verdict") != "ok":
        raise SmokeFailure(f"the link check's verdict is {check.get('verdict')!r}, not ok")
    resource = expect(api.get(f"/api/v1/resources/{resource_id}/"), 200, "the resource")
    if resource.json()["health"] != "ok":
        raise SmokeFailure(f"the resource's health is {resource.json()['health']!r}")
    if LinkTarget.hits == 0:
        raise SmokeFailure("the test server saw no request")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    started = time.monotonic()
    smoke_db, admin_db = database_urls()
    broker = redis_url()
    stack = stack_settings(smoke_db, broker)
    processes: list[subprocess.Popen] = []
    server = http.server.ThreadingHTTPServer((TEST_HOST, stack.target_port), LinkTarget)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        fresh_stores(smoke_db, admin_db, broker)
        moderator_password = migrate_service(stack.env)
        browser = start_services(stack, processes)
        user_password = sign_up(browser, stack.mail_dir)
        enrol(browser)
        submit_and_check(stack, user_password, moderator_password)
        step(
            f"all steps passed in {time.monotonic() - started:.1f} s; the test server saw "
            f"{LinkTarget.hits} request(s)"
        )
        return 0
    except SmokeFailure as failure:
        print(f"prod-smoke FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        stop(processes)
        server.shutdown()
        shutil.rmtree(stack.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
