"""Shared test setup.

What every app's tests share is loaded here as plugins, in one place:
- tests/support/fixtures.py: the personas (owner, outsider, moderator, submitter, learner) and
  a small roadmap (roadmap, phase, topic), made by the factories in tests/factories.py;
- tests/support/seed.py: the imported seed (`seed`, `readme_roadmap`, `synthetic`), imported
  once per test session and loaded per test in bulk;
- tests/support/redis_leaks.py: under REDIS_URL, the run fails if it left keys in Redis;
- tests/support/flush.py: on PostgreSQL, a transactional test's tables are emptied with DELETE
  (not TRUNCATE, which costs about a second per test);
- tests/support/version_feed.py: the version feed's own connection is closed after each test.

Helpers are plain modules under tests/support/; no test module imports another test module or
a conftest (tests/test_layout.py checks it).

Tests that need a real service (Postgres, Redis, a Celery worker, Chromium) call
`require_service` (tests/support/services.py): without the service's variable they skip with
the reason, and under REQUIRE_SERVICES=1 a missing service is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest

from tests.support.services import delete_cache_keys, require_service

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.seed",
    "tests.support.redis_leaks",
    "tests.support.flush",
    "tests.support.version_feed",
]


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require_service("Redis", bool(url), "set REDIS_URL to run this test")
    return url


@pytest.fixture
def postgres_only(settings) -> None:
    from django.db import connection

    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "set DATABASE_URL to a postgres:// URL to run this test",
    )


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    require_service("Chromium", bool(shutil.which(path)), f"install it at {path}")
    return path


@pytest.fixture(autouse=True)
def eager_celery_tasks(request):
    """Tasks run in-process, as with no broker (the embedded default), even when REDIS_URL
    names one (CI). Tests marked `integration` start a real worker and keep the broker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from roadmap_site.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.fixture(autouse=True)
def own_cache_keys(settings):
    """Each test gets a cache key prefix of its own, so it starts from an empty cache without
    flushing a Redis that parallel test processes share (never call cache.clear() in tests:
    on Redis it empties the whole database; use tests.support.services.clear_own_cache_keys()).
    The test's keys are deleted when it ends, so that the run leaves nothing in Redis."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
    given = caches["default"]
    yield
    # The test may have pointed the cache elsewhere (another prefix of its own): that too.
    current = settings.CACHES["default"]
    delete_cache_keys(given)
    if (current.get("LOCATION"), current.get("KEY_PREFIX")) != (
        given.get("LOCATION"),
        given["KEY_PREFIX"],
    ):
        delete_cache_keys(current)
