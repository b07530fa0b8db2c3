"""Twenty identical PUTs at once, on PostgreSQL: one row, one version, no error."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.progress import services
from apps.progress.models import TopicProgress, WeeklyCheckIn
from tests.support.concurrency import hammer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_identical_puts_leave_one_row(
    postgres_only, readme_roadmap, learner
) -> None:
    roadmap = readme_roadmap
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
