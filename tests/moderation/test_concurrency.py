"""Moderators acting at the same moment, on PostgreSQL: each decision is made once, logged
once and mailed once."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.community.models import Vote
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Resource
from tests.factories import UserFactory, pending, resource
from tests.support.concurrency import hammer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def emails_in_process():
    """These tests need Postgres, not a worker: the decision emails are sent in-process, so
    the outbox shows each one (integration tests otherwise keep the real broker)."""
    from roadmap_site.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


def post(user, path: str, body: dict):
    def request() -> int:
        client = APIClient()
        client.force_authenticate(user)
        return client.post(path, body, format="json").status_code

    return request


def test_ten_approvals_at_once_decide_log_and_mail_once(
    postgres_only, roadmap, topic, submitter, moderator, mailoutbox
) -> None:
    submission = pending(roadmap, topic, submitter)
    path = f"/api/v1/submissions/{submission.pk}/approve/"
    codes = hammer(10, post(moderator, path, {"note": "ok"}))
    assert sorted(codes) == [200] + [409] * 9
    assert ModerationAction.objects.filter(target_id=submission.pk).count() == 1
    assert Resource.objects.get(pk=submission.pk).status == "approved"
    assert len(mailoutbox) == 1


def test_two_merges_at_once_move_each_vote_once(postgres_only, roadmap, topic, moderator) -> None:
    duplicate, target = resource(roadmap, topic), resource(roadmap, topic)
    voters = [UserFactory() for _ in range(5)]
    for voter in voters:
        Vote.objects.create(user=voter, resource=duplicate, value=1)
    codes = hammer(
        4, post(moderator, f"/api/v1/resources/{duplicate.pk}/merge/", {"into": target.pk})
    )
    assert sorted(codes) == [200] + [409] * 3
    target.refresh_from_db()
    assert (target.upvotes, target.downvotes) == (5, 0)
    assert Vote.objects.filter(resource=target).count() == 5
    assert ModerationAction.objects.filter(action="merge").count() == 1
