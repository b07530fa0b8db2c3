"""Health, readiness, metrics, the hardened production settings, and Redis being down."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client

from apps.accounts.models import User
from apps.roadmap.models import Resource, Roadmap, Section, Topic

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A loopback port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "roadmap_site.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CACHE_URL = url
    settings.CELERY_BROKER_URL = url
    # Changing CACHES through the settings fixture makes Django rebuild the cache handler.
    assert caches["default"].get("anything", "missed") == "missed"
    return url


@pytest.mark.django_db
def test_healthz_answers_without_touching_anything(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(settings) -> None:
    settings.CACHE_URL = ""
    settings.CELERY_BROKER_URL = ""
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_readyz_names_what_failed(redis_down) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert set(body["failed"]) == {"cache", "broker"}
    assert body["checks"]["cache"].startswith("error:")


@pytest.mark.django_db
def test_readyz_with_real_redis(settings, redis_url) -> None:
    settings.CACHE_URL = redis_url
    settings.CELERY_BROKER_URL = redis_url
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_metrics_only_for_allowed_addresses(settings) -> None:
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    Client().get("/")
    refused = Client(REMOTE_ADDR="192.0.2.7").get("/metrics")
    assert refused.status_code == 403
    allowed = Client(REMOTE_ADDR="10.1.2.3").get("/metrics")
    assert allowed.status_code == 200
    text = allowed.content.decode()
    for name in (
        "roadmap_http_requests_total",
        "roadmap_http_request_duration_seconds_bucket",
        "roadmap_db_queries_per_request_bucket",
        "roadmap_resources",
        "roadmap_moderation_queue",
        "roadmap_celery_tasks",
    ):
        assert name in text, name
    assert 'view="roadmap:home"' in text


@pytest.mark.django_db
def test_metrics_refuse_a_proxied_request_even_from_an_allowed_address(settings) -> None:
    # An ingress controller in the pod network is inside METRICS_ALLOWED_IPS; it always adds
    # X-Forwarded-For, the scraper never does.
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    through_ingress = Client(REMOTE_ADDR="10.2.0.9").get(
        "/metrics", HTTP_X_FORWARDED_FOR="192.0.2.7"
    )
    assert through_ingress.status_code == 403
    assert Client(REMOTE_ADDR="10.2.0.9").get("/metrics").status_code == 200


@pytest.mark.django_db
def test_celery_task_outcomes_are_counted(settings) -> None:
    from roadmap_site.celery import app

    @app.task(name="tests.operations.ok")
    def ok() -> int:
        return 1

    @app.task(name="tests.operations.boom")
    def boom() -> None:
        raise RuntimeError("boom")

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    try:
        ok.delay()
        ok.delay()
        boom.delay()
    finally:
        app.conf.task_eager_propagates = True
    text = Client(REMOTE_ADDR="127.0.0.1").get("/metrics").content.decode()
    assert 'roadmap_celery_tasks{outcome="succeeded",task="tests.operations.ok"} 2.0' in text
    assert 'roadmap_celery_tasks{outcome="failed",task="tests.operations.boom"} 1.0' in text


def test_deploy_checks_pass_with_production_settings() -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "roadmap.example",
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_production_headers_on_the_roadmap_page(settings) -> None:
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    plain = Client().get("/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    # Probes talk plain HTTP inside the network.
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_with_redis_stopped_pages_and_the_api_answer_and_submissions_are_saved(redis_down):
    roadmap = Roadmap.objects.create(slug="ml-engineer", title="ML Engineer Roadmap")
    section = Section.objects.create(roadmap=roadmap, number=1, slug="s", title="S")
    Topic.objects.create(roadmap=roadmap, section=section, slug="testing", title="T", order=1)
    user = User.objects.create_user("ada", "ada@example.invalid", "pw-4-tests-only")
    client = Client()
    client.force_login(user)
    for path in (
        "/",
        "/roadmaps/ml-engineer/",
        "/roadmaps/ml-engineer/topics/testing/",
        "/api/v1/roadmaps/",
        "/api/v1/roadmaps/ml-engineer/",
        "/api/v1/resources/",
    ):
        assert client.get(path).status_code == 200, path
    response = client.post(
        "/api/v1/submissions/",
        {
            "roadmap": "ml-engineer",
            "topic": "testing",
            "url": "https://docs.example/while-redis-is-down",
            "title": "Saved anyway",
            "kind": "docs",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Resource.objects.filter(title="Saved anyway", status="pending").exists()
