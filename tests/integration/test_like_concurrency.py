"""Likes given at the same moment, on PostgreSQL: one row per user, exact counts and score."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.showcase import services
from apps.showcase.models import Like, Tally
from apps.showcase.rules import like_score
from apps.solutions.models import Solution
from tests.factories import ProjectFactory, UserFactory
from tests.support.concurrency import hammer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def aged(users: list[User]) -> list[User]:
    User.objects.filter(pk__in=[u.pk for u in users]).update(
        date_joined=timezone.now() - timedelta(days=30)
    )
    return list(User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))


@pytest.fixture
def solution(roadmap) -> Solution:
    author = UserFactory(username="alan")
    return Solution.objects.create(
        learner=author,
        project=ProjectFactory(roadmap=roadmap),
        repository_url="https://github.example/alan/fraud",
        forge=Solution.Forge.GITHUB,
        repository_path="alan/fraud",
    )


def like(user: User, solution: Solution):
    def request() -> int:
        client = APIClient()
        client.force_authenticate(user)
        return client.put(f"/api/v1/solutions/{solution.pk}/like/").status_code

    return request


def test_twenty_users_liking_at_once_give_an_exact_count(postgres_only, solution) -> None:
    users = aged(UserFactory.create_batch(20))
    iterator = iter([like(user, solution) for user in users])
    assert hammer(20, lambda: next(iterator)()) == [200] * 20
    tally = Tally.objects.get(pk=solution.pk)
    assert (tally.likes, Like.objects.filter(solution=solution).count()) == (20, 20)
    assert tally.score == pytest.approx(like_score(20))


def test_twenty_identical_likes_at_once_make_one_row(postgres_only, solution) -> None:
    (user,) = aged([UserFactory()])
    assert hammer(20, like(user, solution)) == [200] * 20
    assert Like.objects.filter(solution=solution).count() == 1
    assert Tally.objects.get(pk=solution.pk).likes == 1


def test_likes_and_unlikes_at_once_leave_the_count_of_the_rows(postgres_only, solution) -> None:
    users = aged(UserFactory.create_batch(20))
    for user in users[:10]:
        services.like_add(user=user, solution=solution)

    def toggle(user: User, n: int):
        def request() -> int:
            client = APIClient()
            client.force_authenticate(user)
            path = f"/api/v1/solutions/{solution.pk}/like/"
            return (client.delete(path) if n < 10 else client.put(path)).status_code

        return request

    iterator = iter([toggle(user, n) for n, user in enumerate(users)])
    assert hammer(20, lambda: next(iterator)()) == [200] * 20
    tally = Tally.objects.get(pk=solution.pk)
    assert tally.likes == Like.objects.filter(solution=solution).count() == 10
    assert tally.score == pytest.approx(like_score(10))
