"""Shared test setup.

Tests that need a real service (Postgres, Redis, a Celery worker, Chromium) call
`require_service`: without the service's variable they skip with the reason, and under
REQUIRE_SERVICES=1 a missing service is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") == "1"


def require_service(name: str, available: bool, how: str) -> None:
    if available:
        return
    message = f"{name} is not available: {how}"
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require_service("Redis", bool(url), "set REDIS_URL to run this test")
    return url


@pytest.fixture
def postgres_only(settings) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    require_service(
        "PostgreSQL",
        engine == "django.db.backends.postgresql",
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
    on Redis it empties the whole database; use clear_own_cache_keys())."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


def clear_own_cache_keys() -> None:
    """Forget what this test stored in the cache, and nothing else."""
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    if client is not None and hasattr(client, "get_client"):  # Redis
        redis = client.get_client(write=True)
        keys = list(redis.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            redis.delete(*keys)
    else:
        cache.clear()
