"""Link sweeps end to end: a real Celery worker and beat on Redis, against PostgreSQL.

The test starts both as subprocesses pointed at this test's own database (pytest-django's
`test_<name>`, reachable from other processes because `transaction=True` commits every row)
and at a queue of its own on Redis. Beat sweeps every 2 seconds; the worker checks links on
loopback servers this test serves, and nothing else (LINKCHECK_ALLOW_PRIVATE for the worker).

One pool child is killed with SIGKILL in the middle of a check: the message goes back to the
queue (acks_late, reject_on_worker_lost), and the claim its batch still holds lets the second
delivery do the check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.linkcheck.models import LinkCheck
from apps.roadmap.models import Resource
from bench.linkcheck_server import LoopbackServers, Reply, Request, Site, redirect
from tests.factories import resource
from tests.support.processes import child_database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CELERY = str(Path(sys.executable).with_name("celery"))
ROOT = Path(__file__).resolve().parents[2]


class Services:
    def __init__(self, tmp_path: Path, redis_url: str) -> None:
        self.tmp_path = tmp_path
        run = uuid.uuid4().hex
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
            "DATABASE_URL": child_database_url(),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CACHE_URL": "locmem:",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_TASK_DEFAULT_QUEUE": f"linkcheck-test-{run}",
            "CELERY_LINKCHECK_QUEUE": f"linkcheck-test-{run}-links",
            "BEAT_LOCK_KEY": f"linkcheck-test-{run}:beat-lock",
            "LINKCHECK_ALLOW_PRIVATE": "1",
            "LINKCHECK_SWEEP_SECONDS": "2",
            "LOG_LEVEL": "INFO",
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis_keys_before = self._redis_keys()

    def _redis_keys(self) -> set[bytes]:
        import redis

        client = redis.Redis.from_url(self.env["REDIS_URL"], socket_connect_timeout=2)
        try:
            return set(client.scan_iter(count=1000))
        finally:
            client.close()

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [CELERY, "-A", "roadmap_site", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes[name] = process
        return process

    def pool_children(self) -> list[int]:
        main = self.processes["worker"].pid
        path = Path(f"/proc/{main}/task/{main}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}.log\n"
            + (self.tmp_path / f"{name}.log").read_text(errors="replace")[-4000:]
            for name in self.processes
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.forget_queue()

    def forget_queue(self) -> None:
        """Delete what the worker and beat kept in Redis for this test's queue (the queue, its
        bindings, kombu's table of expiring bindings if they made it): the run leaves no keys
        behind (tests/support/redis_leaks.py)."""
        import redis

        queue = self.env["CELERY_TASK_DEFAULT_QUEUE"].encode()  # the link-check queue's prefix
        made = self._redis_keys() - self.redis_keys_before
        ours = [key for key in made if queue in key or key.startswith(b"_kombu.")]
        if ours:
            client = redis.Redis.from_url(self.env["REDIS_URL"], socket_connect_timeout=2)
            try:
                client.delete(*ours)
            finally:
                client.close()


@pytest.fixture
def celery_services(transactional_db, postgres_only, redis_url, tmp_path) -> Iterator[Services]:
    # Depends on the database fixture, so the processes stop before the tables are flushed.
    services = Services(tmp_path, redis_url)
    try:
        yield services
    finally:
        services.stop()


def test_beat_sweeps_and_a_killed_pool_child_is_checked_again(
    celery_services, roadmap, topic
) -> None:
    def slow_first(request: Request) -> Reply:
        # The first request hangs long enough for the test to kill the pool child.
        return Reply(delay=20) if request.number == 1 else Reply()

    site = Site("127.0.0.3", {"/ok": Reply(), "/gone": Reply(404), "/old": redirect("/new")})
    site.scripts["/new"] = Reply()
    slow = Site("127.0.0.4", {"/slow": slow_first})
    with LoopbackServers(site, slow):
        ok = resource(roadmap, topic, url=site.url("/ok"))
        gone = resource(roadmap, topic, url=site.url("/gone"))
        moved = resource(roadmap, topic, url=site.url("/old"))
        pending = resource(roadmap, topic, url=site.url("/ok?pending"), status="pending")
        killed = resource(roadmap, topic, url=slow.url("/slow"))
        roadmap.refresh_from_db()
        version = roadmap.content_version

        celery_services.start(
            "worker",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-Q",
            # Both queues: the sweep and the batches go to the link-check queue (the routes).
            f"{celery_services.env['CELERY_TASK_DEFAULT_QUEUE']},"
            f"{celery_services.env['CELERY_LINKCHECK_QUEUE']}",
        )
        celery_services.start(
            "beat",
            "beat",
            "--loglevel=INFO",
            f"--schedule={celery_services.tmp_path / 'beat-schedule'}",
            "--pidfile=",
        )
        try:
            wait_for(lambda: slow.stats.requests, 60, "the slow check to start")
            children = celery_services.pool_children()
            assert len(children) == 1, children
            os.kill(children[0], signal.SIGKILL)  # mid-check: the server has not answered

            def all_checked() -> bool:
                return (
                    Resource.objects.filter(
                        pk__in=[ok.pk, gone.pk, moved.pk, killed.pk], last_checked_at__isnull=False
                    ).count()
                    == 4
                )

            wait_for(all_checked, 90, "every approved resource to be checked")
        except AssertionError:
            raise AssertionError(celery_services.logs()) from None

        assert celery_services.pool_children() not in ([], children)  # a new child took over
        for item in (ok, gone, moved, killed, pending):
            item.refresh_from_db()
        assert (ok.health, gone.health, moved.health, killed.health) == (
            "ok",
            "failing",
            "redirected",
            "ok",
        )
        assert moved.final_url == site.url("/new")
        assert pending.health == "unknown" and pending.last_checked_at is None
        # The killed check was done again, from the same delivery, and recorded once.
        assert len(slow.stats.requests) >= 2
        assert LinkCheck.objects.filter(resource=killed).count() == 1
        assert LinkCheck.objects.filter(resource=gone).get().status_code == 404
        roadmap.refresh_from_db()
        assert roadmap.content_version == version + 4  # four health changes
        # Later sweeps find nothing due: each link was checked once.
        time.sleep(5)
        assert LinkCheck.objects.count() == 4
