"""Real services a test may need (Postgres, Redis, a Celery worker, Chromium), and the cache.

Tests that need a real service call `require_service`: without the service's variable they
skip with the reason, and under REQUIRE_SERVICES=1 a missing service is a failure, never a
skip.
"""

from __future__ import annotations

import os
from typing import Any

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


def delete_cache_keys(config: dict[str, Any]) -> None:
    """Delete every key under a Redis cache configuration's prefix (a CACHES entry), if it is
    a Redis cache that answers; other caches live in the process and end with it."""
    location = config.get("LOCATION")
    if "redis" not in config.get("BACKEND", "").lower() or not isinstance(location, str):
        return
    import redis

    client = redis.Redis.from_url(location, socket_connect_timeout=1, socket_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"{config.get('KEY_PREFIX', '')}:*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:  # a test that pointed the cache at a Redis that is down
        pass
    finally:
        client.close()


def clear_own_cache_keys() -> None:
    """Forget what this test stored in the cache, and nothing else (see `own_cache_keys` in
    tests/conftest.py: never call cache.clear() in tests, on Redis it empties the database)."""
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    if client is not None and hasattr(client, "get_client"):  # Redis
        redis = client.get_client(write=True)
        keys = list(redis.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            redis.delete(*keys)
    else:
        cache.clear()
