"""Prometheus metrics: what the roadmap itself teaches about monitoring, applied to the site.

Request counters and histograms live in the serving process (with PROMETHEUS_MULTIPROC_DIR set,
gunicorn's workers share them through files). What other processes do (Celery task outcomes)
is counted in the cache, which every process shares; what the database knows (link verdicts,
resource health, the moderation queue) is read at scrape time.
"""

from __future__ import annotations

import logging
import os

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "roadmap_http_requests_total", "HTTP requests answered", ["view", "method", "status"]
)
LATENCY = Histogram(
    "roadmap_http_request_duration_seconds",
    "Time to answer a request",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUERIES = Histogram(
    "roadmap_db_queries_per_request",
    "Database queries run to answer a request",
    ["view"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)

TASK_OUTCOMES = ("succeeded", "failed", "retried")
TASK_COUNTER_KEY = "metrics:celery:{task}:{outcome}"
TASK_NAMES_KEY = "metrics:celery:names"


def task_outcome_record(*, task: str, outcome: str) -> None:
    """Count a task's outcome in the shared cache (workers and web read the same numbers)."""
    key = TASK_COUNTER_KEY.format(task=task, outcome=outcome)
    if not cache.add(key, 1, timeout=None):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=None)
    names = set(cache.get(TASK_NAMES_KEY) or ())
    if task not in names:
        cache.set(TASK_NAMES_KEY, sorted(names | {task}), timeout=None)


class DatabaseCollector(Collector):
    """Gauges read at scrape time from the database and the shared cache."""

    def collect(self):
        tasks = GaugeMetricFamily(
            "roadmap_celery_tasks", "Celery task outcomes, counted since the cache was filled",
            labels=["task", "outcome"],
        )  # fmt: skip
        for task in cache.get(TASK_NAMES_KEY) or ():
            for outcome in TASK_OUTCOMES:
                value = cache.get(TASK_COUNTER_KEY.format(task=task, outcome=outcome)) or 0
                tasks.add_metric([task, outcome], float(value))
        yield tasks

        resource_model = apps.get_model("roadmap", "Resource")
        health = GaugeMetricFamily(
            "roadmap_resources", "Resources by status and link health", labels=["status", "health"]
        )
        rows = resource_model.objects.values("status", "health").annotate(n=Count("id"))
        for row in rows:
            health.add_metric([row["status"], row["health"]], row["n"])
        yield health

        queue = GaugeMetricFamily(
            "roadmap_moderation_queue", "Work waiting for moderators", labels=["kind"]
        )
        queue.add_metric(["submissions"], resource_model.objects.filter(status="pending").count())
        report_model = _model("community", "Report")
        if report_model is not None:
            queue.add_metric(["reports"], report_model.objects.filter(resolved_at=None).count())
        yield queue

        check_model = _model("linkcheck", "LinkCheck")
        if check_model is not None:
            verdicts = GaugeMetricFamily(
                "roadmap_link_checks", "Link checks recorded, by verdict", labels=["verdict"]
            )
            for row in check_model.objects.values("verdict").annotate(n=Count("id")):
                verdicts.add_metric([row["verdict"]], row["n"])
            yield verdicts

        backlog = _broker_backlog()
        if backlog is not None:
            yield GaugeMetricFamily(
                "roadmap_celery_queue_length", "Tasks waiting in the broker", value=backlog
            )


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _broker_backlog() -> int | None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return int(client.llen(settings.CELERY_TASK_DEFAULT_QUEUE))
    except Exception as error:  # a broker that is down is reported by /readyz, not here
        logger.warning("broker backlog unavailable: %s", error)
        return None


_database_collector = DatabaseCollector()


def exposition() -> bytes:
    """The text exposition of every metric, merged across gunicorn workers when configured."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    registry_with_db = CollectorRegistry()
    registry_with_db.register(_database_collector)
    return generate_latest(registry) + generate_latest(registry_with_db)
