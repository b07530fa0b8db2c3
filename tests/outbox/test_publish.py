"""The outbox: work written with the change commits with it and is published once the broker
answers; two publishers never send one row twice; eager mode still does the work at once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.moderation.tasks import submission_decision_email_send
from apps.outbox.models import OutboxMessage
from apps.outbox.services import broker_circuit, outbox_publish, outbox_put
from apps.roadmap.models import Resource
from roadmap_site.circuit import circuits_reset
from tests.factories import pending
from tests.support.clients import client_for
from tests.support.concurrency import hammer

EMAIL_TASK = "apps.moderation.tasks.submission_decision_email_send"
ANSWER_WITHIN = 3.0


@pytest.mark.django_db
def test_a_decision_with_the_broker_down_commits_and_its_email_goes_out_when_it_is_back(
    broker, roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    submission = pending(roadmap, topic, submitter)
    broker.down()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(moderator).post(
            f"/api/v1/submissions/{submission.pk}/approve/", {}, format="json"
        )
    assert answer.status_code == 200, answer.content
    assert time.monotonic() - started < ANSWER_WITHIN
    submission.refresh_from_db()
    assert submission.status == Resource.Status.APPROVED
    # The email is written down with the decision; the publish after the commit failed.
    row = OutboxMessage.objects.get()
    assert (row.task, row.args, row.sent_at, row.attempts) == (
        EMAIL_TASK,
        [submission.pk, "approve"],
        None,
        1,
    )
    assert broker.messages() == []

    # The broker is back: the beat job's next round (once the backoff has passed) sends it.
    broker.back()
    assert outbox_publish(now=timezone.now() + timedelta(minutes=1)) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert broker.messages() == [(EMAIL_TASK, [submission.pk, "approve"])]
    # What a worker does with that message: the submitter hears of the decision, once.
    [(_, args)] = broker.messages()
    assert submission_decision_email_send.apply(args=args).get() is True
    assert [mail.to for mail in mailoutbox] == [[submitter.email]]
    # A second round finds nothing left to send.
    assert outbox_publish(now=timezone.now() + timedelta(minutes=1)) == 0
    assert len(broker.messages()) == 1


@pytest.mark.django_db
def test_a_rolled_back_decision_leaves_no_outbox_row(broker, roadmap, topic, submitter) -> None:
    submission = pending(roadmap, topic, submitter)
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_put(task=EMAIL_TASK, args=[submission.pk, "approve"])
        raise RuntimeError("the decision fails after the row was written")
    assert not OutboxMessage.objects.exists()
    with pytest.raises(ValueError, match="no Celery task"), transaction.atomic():
        outbox_put(task="apps.nowhere.tasks.nothing", args=[])


@pytest.mark.django_db
def test_a_failed_publish_waits_longer_each_time(broker, roadmap, topic, submitter) -> None:
    with transaction.atomic():
        outbox_put(task=EMAIL_TASK, args=[1, "approve"], publish_after_commit=False)
    broker.down()
    now = timezone.now()
    assert outbox_publish(now=now) == 0
    row = OutboxMessage.objects.get()
    assert row.attempts == 1 and row.due_at == now + timedelta(seconds=5)
    assert "Error" in row.last_error
    assert outbox_publish(now=now + timedelta(seconds=1)) == 0  # not due yet: not tried
    row.refresh_from_db()
    assert row.attempts == 1
    assert outbox_publish(now=row.due_at) == 0
    row.refresh_from_db()
    assert row.attempts == 2 and row.due_at - now == timedelta(seconds=15)  # 5 s, then 10 s


@pytest.mark.django_db(transaction=True)
def test_two_publishers_never_send_one_row_twice(broker, postgres_only) -> None:
    with transaction.atomic():
        for number in range(60):
            outbox_put(task=EMAIL_TASK, args=[number, "approve"], publish_after_commit=False)
    sent = hammer(2, lambda: outbox_publish())
    sent += hammer(2, lambda: outbox_publish())  # whatever the first round's batch left
    assert sum(sent) == 60, sent
    published = [args[0] for _, args in broker.messages()]
    assert sorted(published) == list(range(60))  # each exactly once
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_without_a_broker_the_email_is_sent_right_after_the_commit(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    submission = pending(roadmap, topic, submitter)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = client_for(moderator).post(
            f"/api/v1/submissions/{submission.pk}/reject/",
            {"reason": "Off topic."},
            format="json",
        )
        assert answer.status_code == 200, answer.content
        assert mailoutbox == []  # not before the commit
    for callback in callbacks:
        callback()
    assert OutboxMessage.objects.get().last_error == ""
    assert [mail.to for mail in mailoutbox] == [[submitter.email]]
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db
def test_an_open_broker_circuit_does_not_hold_back_eager_work(
    roadmap, topic, submitter, moderator, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    """Without a broker (eager tasks) there is no outage to remember: a breaker left open by
    an earlier broker failure in this process must not keep the email from going out."""
    broker_circuit().failed()
    try:
        submission = pending(roadmap, topic, submitter)
        with django_capture_on_commit_callbacks(execute=True):
            answer = client_for(moderator).post(
                f"/api/v1/submissions/{submission.pk}/reject/",
                {"reason": "Off topic."},
                format="json",
            )
        assert answer.status_code == 200, answer.content
        assert [mail.to for mail in mailoutbox] == [[submitter.email]]
        assert OutboxMessage.objects.get().sent_at is not None
    finally:
        circuits_reset()
