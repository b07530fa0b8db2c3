"""Many of everything at once, natively: 3 web instances behind a round robin, 2 workers on
the two queues, 2 beats; nothing is done twice.

All of it runs as subprocesses against this test's own PostgreSQL database (`transaction=True`
commits every row) and Redis (queues, cache keys and the beat lock named for this run):

- three gunicorn instances (one worker each) behind a loopback round robin that hands each new
  connection to the next instance: a learner signs in on one and goes on through the others
  (sessions are in the database, so any instance knows them);
- a worker on the link-check queue and a worker on the default queue (the routes in settings);
- two beats: one holds the lock and sends, the other stands by; the holder is killed with
  SIGKILL and the standby takes over within the lease.

While all of it is up a sweep runs (beat's, plus two sent on purpose at once) against loopback
servers that count requests, and the Monday email's job is sent twice at once: each URL is
requested once, each learner gets one email.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from celery import Celery
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from apps.accounts.models import User
from apps.linkcheck.models import LinkCheck
from apps.mail.models import WeeklyEmail
from apps.progress.models import TopicProgress
from apps.roadmap.models import Resource
from bench.linkcheck_server import LoopbackServers, Reply, Site
from deploy.smoke import Browser
from tests.factories import PASSWORD, EnrollmentFactory, UserFactory, resource
from tests.support.processes import child_database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
# The ports of this test (loopback only): the round robin, three web instances, two sites.
PROXY_PORT = 8350
WEB_PORTS = (8351, 8352, 8353)
SITE_PORTS = (8354, 8355)
LEASE = 4  # BEAT_LOCK_SECONDS for this run: the standby takes over within this and a third
MONDAY_0800_BERLIN = "2026-03-30T06:00:00+00:00"
LEARNERS = 3
SWEEP = "apps.linkcheck.tasks.link_sweep"
BATCH = "apps.linkcheck.tasks.link_check_batch"
WEEKLY = "apps.mail.tasks.weekly_emails_send"


class RoundRobin:
    """A TCP proxy on loopback: each new connection goes to the next backend in turn. It
    notes which backend took each connection, in order."""

    def __init__(self, port: int, backends: dict[str, int]) -> None:
        self.backends = list(backends.items())
        self.served: list[str] = []
        self._server = socket.create_server(("127.0.0.1", port))
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            with self._lock:
                name, port = self.backends[len(self.served) % len(self.backends)]
                self.served.append(name)
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=30)
            except OSError:
                client.close()
                continue
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            source.close()

    def close(self) -> None:
        self._server.close()


class Stack:
    """The processes of the run, each logging to a file of its own."""

    def __init__(self, tmp_path: Path, redis_url: str) -> None:
        run = uuid.uuid4().hex[:12]
        self.tmp_path = tmp_path
        self.redis_url = redis_url
        self.mail_dir = tmp_path / "mail"
        self.default_queue = f"many-{run}"
        self.linkcheck_queue = f"many-{run}-linkcheck"
        self.prefix = f"many-{run}"
        self.lock_key = f"many-{run}:beat-lock"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
            "DEBUG": "0",
            "SECRET_KEY": f"many-processes-{run}-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"https://127.0.0.1:{PROXY_PORT}",
            "DATABASE_URL": child_database_url(),
            "DATABASE_POOL": "1",
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": self.prefix,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_TASK_DEFAULT_QUEUE": self.default_queue,
            "CELERY_LINKCHECK_QUEUE": self.linkcheck_queue,
            "BEAT_LOCK_KEY": self.lock_key,
            "BEAT_LOCK_SECONDS": str(LEASE),
            "LINKCHECK_SWEEP_SECONDS": "2",
            "LINKCHECK_ALLOW_PRIVATE": "1",
            "EMAIL_URL": f"file:{self.mail_dir}",
            "LOG_LEVEL": "INFO",
            "LOG_JSON": "0",
            "WEB_CONCURRENCY": "1",
            "STATIC_MANIFEST": "0",  # no collectstatic for this run
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis_keys_before = self._redis_keys()

    def _redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=5)

    def _redis_keys(self) -> set[bytes]:
        client = self._redis()
        try:
            return set(client.scan_iter(count=1000))
        finally:
            client.close()

    def start(self, name: str, argv: list[str], **env: str) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes[name] = process
        return process

    def web(self, name: str, port: int) -> None:
        self.start(
            name,
            [
                str(BIN / "gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "roadmap_site.wsgi:application",
            ],
            GUNICORN_BIND=f"127.0.0.1:{port}",
            PROMETHEUS_MULTIPROC_DIR=str(self.tmp_path / f"prometheus-{name}"),
        )

    def worker(self, name: str, queue: str) -> None:
        self.start(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "roadmap_site",
                "worker",
                "-Q",
                queue,
                "-n",
                f"{name}@%h",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
        )

    def beat(self, name: str) -> None:
        self.start(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "roadmap_site",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.tmp_path / f'{name}-schedule'}",
                "--pidfile=",
            ],
        )

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {name}.log\n{self.log(name)[-3000:]}" for name in self.processes)

    def lock_holder(self) -> str | None:
        client = self._redis()
        try:
            value = client.get(self.lock_key)
        finally:
            client.close()
        return value.decode() if value else None

    def beat_of(self, token: str | None) -> str | None:
        pid = int(token.split(":")[1]) if token else None
        return next((n for n, p in self.processes.items() if p.pid == pid), None)

    def send(self, task: str, queue: str, args: list | None = None) -> None:
        # Not the process's current app: the tests that run after this one in the same process
        # read the project's app through celery.current_app (apps.outbox.services).
        app = Celery(broker=self.redis_url, set_as_current=False)
        try:
            app.send_task(task, args=args or [], queue=queue)
        finally:
            app.close()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        # What the run wrote in Redis: its queues and their bindings, kombu's tables, its cache
        # keys, its lock (tests/support/redis_leaks.py checks that nothing is left).
        ours = (self.prefix.encode(), b"_kombu.", b"unacked")
        made = [k for k in self._redis_keys() - self.redis_keys_before if k.startswith(ours)]
        if made:
            client = self._redis()
            try:
                client.delete(*made)
            finally:
                client.close()


@pytest.fixture
def stack(transactional_db, postgres_only, redis_url, tmp_path) -> Iterator[Stack]:
    # Depends on the database fixture, so the processes stop before the tables are flushed.
    services = Stack(tmp_path, redis_url)
    try:
        yield services
    finally:
        services.stop()


def _emails_by_recipient(mail_dir: Path) -> Counter[str]:
    if not mail_dir.exists():
        return Counter()
    found: Counter[str] = Counter()
    for path in mail_dir.iterdir():
        found.update(re.findall(r"^To: (.+)$", path.read_text(errors="replace"), re.MULTILINE))
    return found


def _sent_by_beat(log: str) -> int:
    return log.count("Sending due task")


def test_many_web_worker_and_beat_processes_do_everything_once(
    stack: Stack, roadmap, topic
) -> None:
    started = time.monotonic()
    learners = [
        UserFactory(username=f"learner{n}", time_zone="Europe/Berlin", email_weekly_digest=True)
        for n in range(LEARNERS)
    ]
    for one in learners:
        EnrollmentFactory(
            user=one, roadmap=roadmap, start_date=date(2026, 3, 16), plan_anchor=date(2026, 3, 16)
        )
    # The learner who signs in on the web (their topic done: no Monday email would be due).
    # The instances check the password with the site's own hasher (the tests' is a fast one).
    learner = UserFactory(username="walker", email_weekly_digest=False)
    EnrollmentFactory(user=learner, roadmap=roadmap)
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=learner.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))

    webs = {f"web-{'abc'[n]}": port for n, port in enumerate(WEB_PORTS)}
    for name, port in webs.items():
        stack.web(name, port)
    stack.worker("worker-linkcheck", stack.linkcheck_queue)
    stack.worker("worker-default", stack.default_queue)
    stack.beat("beat-1")
    stack.beat("beat-2")
    proxy = RoundRobin(PROXY_PORT, webs)
    sites = [
        Site("127.0.0.3", {f"/page{n}": Reply() for n in range(3)}),
        Site("127.0.0.4", {f"/doc{n}": Reply() for n in range(3)}),
    ]
    for site, port in zip(sites, SITE_PORTS, strict=True):
        site.port = port
    try:
        with LoopbackServers(*sites):
            for name, port in webs.items():
                wait_for(
                    lambda port=port: _answers(f"http://127.0.0.1:{port}/healthz"),
                    60,
                    f"{name} to answer",
                )
            for name in ("worker-linkcheck", "worker-default"):
                wait_for(lambda name=name: "ready." in stack.log(name), 60, f"{name} to be ready")
            wait_for(
                lambda: (
                    stack.beat_of(stack.lock_holder())
                    and all(
                        "beat lock held by" in stack.log(b) or "standby" in stack.log(b)
                        for b in ("beat-1", "beat-2")
                    )
                ),
                60,
                "one beat to hold the lock and the other to stand by",
            )
            first_holder = stack.beat_of(stack.lock_holder())
            standby = "beat-2" if first_holder == "beat-1" else "beat-1"
            assert first_holder is not None
            assert "standby: beat lock held by" in stack.log(standby)
            up_at = time.monotonic() - started

            # -- the web: sign in through one instance, go on through the others
            browser = Browser(f"http://127.0.0.1:{PROXY_PORT}")
            browser.client.headers["Connection"] = "close"  # each request: a new connection
            browser.get("/accounts/login/")
            login = browser.request(
                "POST",
                "/accounts/login/",
                data={
                    "login": learner.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                },
            )
            assert login.status_code == 302, re.findall(
                r'(?s)class="error-summary".{0,800}', login.text
            )
            signed_in_on = proxy.served[-1]
            dashboard = f"/roadmaps/{roadmap.slug}/dashboard/"
            first_look = browser.get(dashboard)
            assert first_look.status_code == 200, first_look.text[:500]
            assert learner.username in first_look.text
            status = browser.request(
                "POST",
                f"/roadmaps/{roadmap.slug}/topics/{topic.slug}/status/",
                data={"status": "done", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            )
            assert status.status_code in {302, 303}, status.text[:500]
            second_look = browser.get(dashboard)
            assert second_look.status_code == 200, second_look.text[:500]
            journey = proxy.served[-4:]
            assert journey[0] == signed_in_on and set(journey) == set(webs), journey
            assert TopicProgress.objects.get(user=learner, topic=topic).status == "done"

            # -- a sweep (beat's, and two more sent on purpose at once) and the Monday email,
            #    sent twice at once, while everything is up
            links = [
                resource(roadmap, topic, url=site.url(path))
                for site in sites
                for path in site.scripts
            ]
            for _ in range(2):
                stack.send(SWEEP, stack.linkcheck_queue)
            for _ in range(2):
                stack.send(WEEKLY, stack.default_queue, [MONDAY_0800_BERLIN])

            def all_checked() -> bool:
                return Resource.objects.filter(
                    pk__in=[r.pk for r in links], last_checked_at__isnull=False
                ).count() == len(links)

            def all_mailed() -> bool:
                return (
                    WeeklyEmail.objects.filter(handled_at__isnull=False).count() == LEARNERS
                    and _runs(stack.log("worker-default"), WEEKLY, "succeeded") == 2
                )

            try:
                wait_for(all_checked, 60, "every link to be checked")
                wait_for(all_mailed, 60, "the Monday emails and both job runs")
            except AssertionError as error:
                raise AssertionError(f"{error}\n{stack.logs()}") from None

            # -- kill the beat that holds the lock: the standby takes over within the lease
            holder_token = stack.lock_holder()
            assert stack.beat_of(holder_token) == first_holder
            sent_by_standby_before = _sent_by_beat(stack.log(standby))
            killed_at = time.monotonic()
            stack.processes[first_holder].send_signal(signal.SIGKILL)
            stack.processes[first_holder].wait(timeout=10)
            wait_for(
                lambda: stack.beat_of(stack.lock_holder()) == standby,
                LEASE * 2 + 10,
                "the standby beat to take the lock",
            )
            takeover = time.monotonic() - killed_at
            wait_for(
                lambda: _sent_by_beat(stack.log(standby)) > sent_by_standby_before,
                30,
                "the new holder to send its schedule",
            )
            time.sleep(3)  # a few more sweeps by the new holder: none checks a link again
            requests_per_url = Counter(
                f"{site.address}{request.path}" for site in sites for request in site.stats.requests
            )
            mails = _emails_by_recipient(stack.mail_dir)
    finally:
        proxy.close()

    # -- nothing twice
    assert sent_by_standby_before == 0, stack.log(standby)  # it sent nothing while standing by
    assert takeover <= LEASE + LEASE / 3 + 5, takeover
    assert sorted(requests_per_url.values()) == [1] * len(links), requests_per_url
    assert LinkCheck.objects.filter(resource__in=links).count() == len(links)
    assert mails == Counter({one.email: 1 for one in learners}), mails
    assert WeeklyEmail.objects.count() == LEARNERS
    # The routes: link checks only on the link-check worker, the rest on the other one.
    linkcheck_log, default_log = stack.log("worker-linkcheck"), stack.log("worker-default")
    assert _runs(linkcheck_log, BATCH, "succeeded") >= len(sites)
    assert _runs(linkcheck_log, SWEEP, "succeeded") >= 3  # beat's, and the two sent at once
    assert _runs(default_log, BATCH, "received") == _runs(default_log, SWEEP, "received") == 0
    assert _runs(linkcheck_log, WEEKLY, "received") == 0
    served = Counter(proxy.served)
    summary = [
        "many processes: summary",
        f"  up in {up_at:.1f} s; whole run {time.monotonic() - started:.1f} s",
        f"  web instances: {len(webs)} behind a round robin; connections per instance "
        f"{dict(sorted(served.items()))}; signed in on {signed_in_on}, then {journey[1:]}",
        f"  workers: worker-linkcheck -Q {stack.linkcheck_queue} "
        f"ran {_runs(linkcheck_log, SWEEP, 'succeeded')} sweeps and "
        f"{_runs(linkcheck_log, BATCH, 'succeeded')} batches; worker-default -Q "
        f"{stack.default_queue} ran {_runs(default_log, WEEKLY, 'succeeded')} Monday email jobs "
        f"and no link check",
        f"  beats: 2; lock holder {first_holder}, standby {standby}; {first_holder} killed "
        f"(SIGKILL), {standby} took the lock after {takeover:.1f} s (lease {LEASE} s); "
        f"due tasks sent: {first_holder} {_sent_by_beat(stack.log(first_holder))}, "
        f"{standby} {sent_by_standby_before} before the takeover, "
        f"{_sent_by_beat(stack.log(standby))} in all",
        f"  link sweeps: by beat every 2 s + 2 sent at once on purpose; {len(links)} URLs on "
        f"{len(sites)} hosts, requests per URL {sorted(requests_per_url.values())}, "
        f"LinkCheck rows {LinkCheck.objects.filter(resource__in=links).count()}",
        f"  Monday email job sent twice at once: {sum(mails.values())} emails to "
        f"{len(mails)} learners ({dict(mails)})",
    ]
    print("\n" + "\n".join(summary))


def _answers(url: str) -> bool:
    try:
        answer = httpx.get(url, timeout=2, trust_env=False, headers={"X-Forwarded-Proto": "https"})
    except httpx.HTTPError:
        return False
    return answer.status_code == 200


def _runs(log: str, task: str, state: str) -> int:
    """How many times a worker's log says the task was `received` or `succeeded`."""
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] {state}", log))
