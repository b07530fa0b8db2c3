"""The Monday email's beat job on a real Celery worker, on Redis, against PostgreSQL.

The worker runs as a subprocess on this test's own database (`transaction=True` commits the
rows it needs) and a queue of its own; it writes mail to files (EMAIL_URL=file:). The job is
called twice for the same Monday moment: one email goes out, the second call finds it handled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

from apps.mail.models import WeeklyEmail
from tests.factories import EnrollmentFactory, UserFactory
from tests.support.processes import child_database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CELERY = str(Path(sys.executable).with_name("celery"))
ROOT = Path(__file__).resolve().parents[2]
MONDAY_0800_BERLIN = "2026-03-30T06:00:00+00:00"


def _redis_keys(url: str) -> set[bytes]:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        return set(client.scan_iter(count=1000))
    finally:
        client.close()


def _forget(url: str, queue: str, before: set[bytes]) -> None:
    import redis

    ours = [k for k in _redis_keys(url) - before if queue.encode() in k or k.startswith(b"_kombu.")]
    if ours:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        try:
            client.delete(*ours)
        finally:
            client.close()


def test_the_weekly_job_on_a_real_worker_sends_once(
    transactional_db, postgres_only, redis_url, tmp_path, roadmap, topic
):
    user = UserFactory(username="wanda", time_zone="Europe/Berlin", email_weekly_digest=True)
    EnrollmentFactory(
        user=user, roadmap=roadmap, start_date=date(2026, 3, 16), plan_anchor=date(2026, 3, 16)
    )
    mail_dir = tmp_path / "mail"
    queue = f"mail-test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": "locmem:",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"file:{mail_dir}",
    }
    before = _redis_keys(redis_url)
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            CELERY,
            "-A",
            "roadmap_site",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def call() -> None:
        subprocess.run(
            [
                CELERY,
                "-A",
                "roadmap_site",
                "call",
                "apps.mail.tasks.weekly_emails_send",
                "--args",
                f'["{MONDAY_0800_BERLIN}"]',
                "--queue",
                queue,
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def handled() -> bool:
        return WeeklyEmail.objects.filter(user=user, handled_at__isnull=False).exists()

    def worker_log() -> str:
        return (tmp_path / "worker.log").read_text(errors="replace")[-4000:]

    try:
        call()
        wait_for(handled, 90, "the worker to send the Monday email\n" + worker_log())
        call()
        wait_for(lambda: worker_log().count("succeeded") >= 2, 60, "the second run")
        files = list(mail_dir.iterdir())
        assert len(files) == 1, worker_log()
        text = files[0].read_text()
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
        assert f"To: {user.email}" in text
        assert WeeklyEmail.objects.filter(user=user).count() == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
        _forget(redis_url, queue, before)
