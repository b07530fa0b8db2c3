"""Production logs: JSON lines, each with the request id, carried into the tasks it queues."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging
import django
django.setup()
import structlog
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
from django.test.runner import DiscoverRunner
from django.urls import include, path
from django.http import HttpResponse
from roadmap_site.celery import app

@app.task(name="tests.logs.echo")
def echo():
    structlog.get_logger("tests.logs").info("inside the task")

def view(request):
    structlog.get_logger("tests.logs").info("inside the view")
    echo.delay()
    return HttpResponse("ok")

urlpatterns = [path("log-me/", view), path("", include("roadmap_site.urls"))]
setup_test_environment()
runner = DiscoverRunner(verbosity=0)
old = runner.setup_databases()
app.conf.task_always_eager = True
with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
    assert Client().get("/log-me/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
runner.teardown_databases(old)
"""


def test_production_logs_are_json_lines_with_the_request_id_also_in_tasks() -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
        "LOG_LEVEL": "INFO",
        "CACHE_URL": "locmem:",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }
    env.pop("DATABASE_URL", None)  # a throwaway SQLite test database
    result = subprocess.run(
        # Python's own warnings (whitenoise's "no STATIC_ROOT yet" in a fresh clone) are not
        # log records; they go to stderr in their own format, so they are silenced here.
        [sys.executable, "-W", "ignore::UserWarning", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]  # every line is JSON
    ours = [e for e in events if e.get("event") in {"inside the view", "inside the task"}]
    assert [e["event"] for e in ours] == ["inside the view", "inside the task"]
    request_ids = {e.get("request_id") for e in ours}
    assert len(request_ids) == 1 and None not in request_ids
    started = [e for e in events if e.get("event") == "request_started"]
    assert started and started[0]["request_id"] in request_ids
