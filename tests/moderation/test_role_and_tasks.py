"""The moderator role (command, group, permissions), the Celery tasks and beat schedule, the
digest preference on the settings page, and the export section."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from apps.accounts.roles import MODERATORS_GROUP, is_moderator
from apps.accounts.selectors import user_export
from apps.moderation import tasks
from apps.moderation.models import ModerationAction
from apps.moderation.services import resources, roles, submissions
from apps.roadmap.models import Resource
from tests.factories import UserFactory, pending, resource
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def test_moderator_add_and_remove_by_command(capsys) -> None:
    user = UserFactory(username="newmod", email="newmod@mail.example")
    assert not Group.objects.filter(name=MODERATORS_GROUP).exists()
    call_command("moderator", "add", "newmod@mail.example")
    assert "newmod is now a moderator" in capsys.readouterr().out
    user = type(user).objects.get(pk=user.pk)
    assert is_moderator(user) and not user.is_staff  # the role does not open the admin
    group = Group.objects.get(name=MODERATORS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_resource", "change_topic", "change_report"} <= codenames
    assert client_for(user).get("/api/v1/moderation/queue/").status_code == 200

    call_command("moderator", "add", "newmod")
    assert "already a moderator" in capsys.readouterr().out
    call_command("moderator", "list")
    assert "newmod (moderator)" in capsys.readouterr().out

    call_command("moderator", "remove", "newmod")
    assert "no longer a moderator" in capsys.readouterr().out
    user = type(user).objects.get(pk=user.pk)
    assert not is_moderator(user) and not user.is_staff
    assert client_for(user).get("/api/v1/moderation/queue/").status_code == 403
    with pytest.raises(CommandError):
        call_command("moderator", "add", "nobody")
    with pytest.raises(CommandError):
        call_command("moderator", "add")


def test_superusers_are_moderators_without_the_group() -> None:
    root = UserFactory(username="root", is_superuser=True)
    assert not root.groups.exists()
    assert client_for(root).get("/api/v1/moderation/queue/").status_code == 200


def test_the_digest_is_on_the_beat_schedule() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["moderation-daily-digest"]
    assert entry["task"] == tasks.moderator_digest_send.name
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {0}


def test_the_tasks_run_through_celery_and_are_safe_twice(
    roadmap, topic, submitter, moderator, mailoutbox
) -> None:
    submission = pending(roadmap, topic, submitter)
    assert tasks.moderator_digest_send.delay().get() == 1
    submissions.submission_approve(actor=moderator, resource=submission)
    assert tasks.submission_decision_email_send.delay(submission.pk, "approve").get() is True
    # A stale task (the decision changed since) sends nothing.
    assert tasks.submission_decision_email_send.delay(submission.pk, "reject").get() is False
    assert tasks.submission_decision_email_send.delay(999_999, "approve").get() is False
    assert tasks.moderator_digest_send.delay().get() == 0  # the queue is empty now
    assert len(mailoutbox) == 2


def test_the_digest_preference_shows_only_to_moderators_and_saves(
    client, moderator, outsider
) -> None:
    client.force_login(outsider)
    assert "email_moderation_digest" not in client.get("/settings/email/").content.decode()
    client.post("/settings/email/", {"email_submission_decisions": "on"})
    outsider.refresh_from_db()
    assert outsider.email_moderation_digest  # untouched: the choice was not offered

    client.force_login(moderator)
    assert "email_moderation_digest" in client.get("/settings/email/").content.decode()
    assert client.post("/settings/email/", {}).status_code == 302
    moderator.refresh_from_db()
    assert not moderator.email_moderation_digest and not moderator.email_submission_decisions
    client.post("/settings/email/", {"email_moderation_digest": "on"})
    moderator.refresh_from_db()
    assert moderator.email_moderation_digest


def test_the_export_holds_the_users_own_moderation_actions(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic, title="Picked")
    resources.resource_pick(actor=moderator, resource=item, editors_pick=True)
    other = UserFactory(username="othermod")
    roles.moderator_add(user=other)
    resources.resource_retire(actor=other, resource=resource(roadmap, topic))
    exported = user_export(user=moderator)["moderation"]
    assert [(e["action"], e["target_title"]) for e in exported] == [("pick", "Picked")]
    assert ModerationAction.objects.count() == 2
    assert Resource.objects.get(pk=item.pk).editors_pick
