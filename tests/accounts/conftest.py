from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from apps.accounts import services
from apps.accounts.models import User
from tests.accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def process_cache(settings):
    """A cache only this process sees, for tests that count hits.

    Other apps' tests flush the shared Redis (`cache.clear()`) from parallel workers, which
    would reset a limit between two requests; tests/accounts/test_rate_limits_redis.py covers
    the same limits on Redis itself.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def owner(db) -> User:
    return UserFactory(username="owner")


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(username="outsider")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def owner_key(owner) -> str:
    _, key = services.api_token_create(user=owner, name="owner script")
    return key


@pytest.fixture
def outsider_key(outsider) -> str:
    _, key = services.api_token_create(user=outsider, name="outsider script")
    return key
