"""Health, readiness and metrics for the proxy, the orchestrator and Prometheus."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from apps.operations.metrics import exposition


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Touches no dependency."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def _check_redis(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database answers, and Redis too when the site is configured to use it."""
    checks = {"database": _check_database()}
    for name, url in (("cache", settings.CACHE_URL), ("broker", settings.CELERY_BROKER_URL)):
        if url.startswith(("redis://", "rediss://")):
            checks[name] = _check_redis(url)
    failed = [name for name, state in checks.items() if state != "ok"]
    body: dict[str, object] = {"status": "ok" if not failed else "unavailable", "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def _allowed(address: str) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.METRICS_ALLOWED_IPS:
        try:
            if client in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, only to the addresses in METRICS_ALLOWED_IPS (the scraper talks
    to the web container directly; the proxy does not pass /metrics on).

    Never to a request that came through a proxy (X-Forwarded-For present): in Kubernetes the
    ingress controller's own address lies in the pod network that METRICS_ALLOWED_IPS lets in,
    and the scraper, which connects directly, sends no such header."""
    if "HTTP_X_FORWARDED_FOR" in request.META or not _allowed(request.META.get("REMOTE_ADDR", "")):
        return HttpResponse("Metrics are not available to this address.\n", status=403)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
