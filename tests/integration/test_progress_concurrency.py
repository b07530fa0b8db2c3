"""Twenty identical PUTs at once, on PostgreSQL: one row, one version, no error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.progress import services
from apps.progress.models import TopicProgress, WeeklyCheckIn
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_import
from tests.progress.conftest import SEED

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def hammer(n: int, request) -> list[int]:
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            codes.append(request())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def test_twenty_concurrent_identical_puts_leave_one_row(postgres_only) -> None:
    roadmap = roadmap_import(text=decode_readme(SEED.read_bytes()), slug="ml-engineer").roadmap
    learner = User.objects.create_user("ada", "ada@example.invalid", "pw-4-tests-only")
    services.enrollment_put(user=learner, roadmap=roadmap)

    def put_progress() -> int:
        client = APIClient()
        client.force_authenticate(learner)
        return client.put(
            "/api/v1/me/progress/ml-engineer/topics/feature-stores/",
            {"status": "done", "note": "same"},
            format="json",
        ).status_code

    assert hammer(20, put_progress) == [200] * 20
    row = TopicProgress.objects.get(user=learner, topic__slug="feature-stores")
    assert (row.status, row.note_md, row.version) == ("done", "same", 1)

    def put_check_in() -> int:
        client = APIClient()
        client.force_authenticate(learner)
        return client.put(
            "/api/v1/me/checkins/ml-engineer/1/", {"hours": 5}, format="json"
        ).status_code

    assert hammer(20, put_check_in) == [200] * 20
    assert WeeklyCheckIn.objects.filter(user=learner).count() == 1
