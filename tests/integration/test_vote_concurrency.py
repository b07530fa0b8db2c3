"""Votes cast at the same moment, on PostgreSQL: one row per user, exact counters."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.community.models import Vote
from apps.community.ranking import wilson_lower_bound
from apps.roadmap.models import Resource
from tests.factories import ResourceFactory, UserFactory
from tests.support.concurrency import hammer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def resource(roadmap, topic) -> Resource:
    return ResourceFactory(roadmap=roadmap, topic=topic, url="https://docs.example/a", title="A")


def vote(user: User, resource: Resource, value: int):
    def request() -> int:
        client = APIClient()
        client.force_authenticate(user)
        path = f"/api/v1/resources/{resource.pk}/vote/"
        return client.put(path, {"value": value}, format="json").status_code

    return request


def test_twenty_identical_votes_at_once_make_one_row(postgres_only, resource, learner) -> None:
    user = learner
    assert hammer(20, vote(user, resource, 1)) == [200] * 20
    resource.refresh_from_db()
    assert Vote.objects.filter(resource=resource).count() == 1
    assert (resource.upvotes, resource.downvotes) == (1, 0)
    assert resource.score == pytest.approx(wilson_lower_bound(1, 0))


def test_twenty_users_at_once_give_exact_counters(postgres_only, resource) -> None:
    users = UserFactory.create_batch(20)
    requests = [vote(user, resource, 1 if n < 14 else -1) for n, user in enumerate(users)]
    iterator = iter(requests)
    codes = hammer(20, lambda: next(iterator)())
    assert codes == [200] * 20
    resource.refresh_from_db()
    assert (resource.upvotes, resource.downvotes) == (14, 6)
    assert Vote.objects.filter(resource=resource).count() == 20
    assert resource.score == pytest.approx(wilson_lower_bound(14, 6))
