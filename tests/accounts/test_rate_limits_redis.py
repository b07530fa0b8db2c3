"""The limits count in Redis when it is configured: the cache every web process shares."""

from __future__ import annotations

import pytest
from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string
from knox.models import AuthToken

from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_settings_use_redis_when_configured(settings, redis_url):
    backend = import_string(settings.CACHES["default"]["BACKEND"])
    assert issubclass(backend, RedisCache)


def test_token_endpoint_answers_429_from_redis(api_client, owner, settings, redis_cache):
    settings.API_TOKEN_RATE_LIMITS = {"ip": "100/3600", "login": "2/3600"}
    body = {"username": "owner", "password": PASSWORD, "name": "x"}
    statuses = [api_client.post("/api/v1/auth/token/", body).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert AuthToken.objects.count() == 2


def test_allauth_limits_count_in_redis(client, owner, settings, redis_cache):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/5m/key"}
    for _ in range(2):
        client.post("/accounts/login/", {"login": "owner", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "owner", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
