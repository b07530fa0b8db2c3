from __future__ import annotations

import uuid

import pytest

from apps.accounts import services


@pytest.fixture
def process_cache(settings):
    """A cache only this process sees, for tests that count hits.

    `redis_cache` below covers the same limits on Redis itself.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def redis_cache(settings, redis_url):
    """The cache every web process shares, under a key prefix of this test's own (the
    root conftest deletes its keys when the test ends)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-accounts-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def owner_key(owner) -> str:
    _, key = services.api_token_create(user=owner, name="owner script")
    return key


@pytest.fixture
def outsider_key(outsider) -> str:
    _, key = services.api_token_create(user=outsider, name="outsider script")
    return key
