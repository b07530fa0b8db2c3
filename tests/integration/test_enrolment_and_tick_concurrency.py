"""A learner's first enrolment, ticks and status changes sent ten at a time, on PostgreSQL,
from threads with their own connections: one row, one 201, no error."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from apps.progress.models import Enrollment, ResourceTick, TopicProgress
from apps.roadmap.models import Resource
from tests.factories import ResourceFactory
from tests.support.concurrency import hammer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def api_call(user, method: str, path: str, body: dict | None = None) -> Callable[[], int]:
    def request() -> int:
        client = APIClient()
        client.force_authenticate(user)
        return getattr(client, method)(path, body or {}, format="json").status_code

    return request


def alternately(user, path: str) -> Callable[[], int]:
    """Each call a tick or an untick, half and half."""
    methods = iter(["put", "delete"] * 5)
    pick = threading.Lock()

    def request() -> int:
        with pick:
            method = next(methods)
        return api_call(user, method, path)()

    return request


@pytest.fixture
def resource(roadmap, topic) -> Resource:
    return ResourceFactory(roadmap=roadmap, topic=topic, url="https://docs.example/t", title="T")


def test_ten_parallel_first_enrolments_make_one_row_and_one_201(
    postgres_only, readme_roadmap, learner
) -> None:
    enrol = api_call(learner, "put", "/api/v1/me/enrollments/ml-engineer/", {"hours_per_week": 8})
    codes = hammer(10, enrol)
    assert sorted(codes) == [200] * 9 + [201]
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_ten_parallel_ticks_then_unticks_of_one_resource(postgres_only, resource, learner) -> None:
    path = f"/api/v1/me/ticks/{resource.pk}/"
    assert hammer(10, api_call(learner, "put", path)) == [200] * 10
    assert ResourceTick.objects.filter(user=learner, resource=resource).count() == 1
    assert hammer(10, api_call(learner, "delete", path)) == [204] * 10
    assert not ResourceTick.objects.filter(user=learner, resource=resource).exists()


def test_ten_parallel_mixed_ticks_and_unticks_never_fail(postgres_only, resource, learner) -> None:
    """Ticks and unticks at once, round after round: every call answers 2xx (the learner's
    row queues them), at most one row is left, and a last call alone decides the state."""
    path = f"/api/v1/me/ticks/{resource.pk}/"
    for _ in range(8):
        codes = hammer(10, alternately(learner, path))
        assert sorted(codes) == [200] * 5 + [204] * 5
        assert ResourceTick.objects.filter(user=learner, resource=resource).count() <= 1
    assert api_call(learner, "delete", path)() == 204
    assert not ResourceTick.objects.filter(user=learner, resource=resource).exists()
    assert api_call(learner, "put", path)() == 200
    assert ResourceTick.objects.filter(user=learner, resource=resource).count() == 1


def test_ten_parallel_status_changes_of_one_topic(postgres_only, readme_roadmap, learner) -> None:
    path = "/api/v1/me/progress/ml-engineer/topics/feature-stores/"
    statuses = ["done", "in_progress", "skipped", "not_started", "done"] * 2
    bodies = iter(statuses)
    pick = threading.Lock()

    def next_call() -> int:
        with pick:
            body = {"status": next(bodies)}
        return api_call(learner, "put", path, body)()

    assert hammer(10, next_call) == [200] * 10
    row = TopicProgress.objects.get(user=learner, topic__slug="feature-stores")
    assert row.status in set(statuses) and 1 <= row.version <= 10
