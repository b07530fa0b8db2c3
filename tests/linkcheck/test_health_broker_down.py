"""The broker is down (a port where nothing listens): submissions, approvals and "check now"
still answer within 3 seconds and lose nothing: "check now" says it is not queued and the
outbox keeps it (apps.outbox); the sweep frees its claims and the next sweep picks them up."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.utils import timezone
from kombu import pools

from apps.linkcheck import selectors, services
from apps.linkcheck.models import LinkClaim
from apps.outbox.models import OutboxMessage
from apps.roadmap.models import Resource
from bench.linkcheck_server import unused_port
from roadmap_site.celery import app
from roadmap_site.circuit import circuits_reset
from tests.factories import UserFactory, resource
from tests.support.clients import client_for as api
from tests.support.clients import page_client_for

pytestmark = pytest.mark.django_db

ANSWER_WITHIN = 3.0


def _drop_connections() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # kombu's shared pools: a closed one left there refuses the next task


@pytest.fixture
def dead_broker() -> Iterator[str]:
    """Point this process's Celery app at a broker port where nothing listens."""
    url = f"redis://127.0.0.1:{unused_port()}/9"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    _drop_connections()
    app.conf.update(broker_url=url, task_always_eager=False)
    circuits_reset()
    try:
        yield url
    finally:
        _drop_connections()
        app.conf.update(saved)
        circuits_reset()


def test_check_now_with_the_broker_down_says_it_is_not_queued_and_keeps_the_check(
    dead_broker, roadmap, topic, moderator, caplog
) -> None:
    item = resource(roadmap, topic, last_checked_at=timezone.now())  # not due by age
    client = api(moderator)
    client.get(f"/api/v1/resources/{item.pk}/checks/")  # warm: time the request, not imports
    started = time.monotonic()
    response = client.post(f"/api/v1/resources/{item.pk}/check/")
    took = time.monotonic() - started
    assert response.status_code == 202
    # Honest: the check did not reach a worker; it is kept and goes out when the queue is back.
    assert response.json() == {
        "queued": False,
        "detail": "The task queue is not answering: the check is kept and will run when the "
        "queue is back.",
    }
    assert took < ANSWER_WITHIN, took
    assert "broker is unreachable" in caplog.text
    # Nothing lost: the claim is held for the batch the outbox keeps, under the same token.
    claim = LinkClaim.objects.get(resource=item)
    assert claim.requested_at is not None and claim.leased_until is not None
    message = OutboxMessage.objects.get(sent_at__isnull=True)
    assert (message.task, message.args) == (
        "apps.linkcheck.tasks.link_check_batch",
        [[item.pk], claim.token],
    )
    # The queue's button says the same on the page (another resource: this one's check is
    # already held for the outbox's batch).
    other = resource(roadmap, topic, title="Other")
    page = page_client_for(moderator).post(f"/moderation/resources/{other.pk}/check/", follow=True)
    assert [str(message) for message in page.context["messages"]] == [
        "“Other” will be checked when the task queue is back (it is not answering now; the "
        "request is kept)."
    ]


def test_the_sweep_itself_frees_its_claims_when_it_cannot_publish(
    dead_broker, roadmap, topic, django_capture_on_commit_callbacks
) -> None:
    items = [resource(roadmap, topic, url=f"https://h{n}.example/") for n in range(3)]
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        batches = services.link_sweep()
    assert len(batches) == 3
    assert time.monotonic() - started < 3 * ANSWER_WITHIN
    assert not LinkClaim.objects.filter(leased_until__isnull=False).exists()
    assert set(selectors.resources_due(now=timezone.now())) == set(items)


def test_submit_and_approve_answer_fast_and_the_approved_link_is_due(
    dead_broker, roadmap, topic, moderator, django_capture_on_commit_callbacks
) -> None:
    submitter = UserFactory(username="sam", email="sam@mail.example")
    body = {
        "roadmap": roadmap.slug,
        "topic": topic.slug,
        "url": "https://blog.example/testing-ml",
        "title": "Testing ML code",
        "kind": "article",
        "description": "A practical guide.",
    }
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = api(submitter).post("/api/v1/submissions/", body, format="json")
    assert submitted.status_code == 201, submitted.content
    assert time.monotonic() - started < ANSWER_WITHIN
    pk = submitted.json()["id"]

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approved = api(moderator).post(f"/api/v1/submissions/{pk}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    assert callbacks  # the decision email's publish was attempted, and failed quietly
    assert time.monotonic() - started < ANSWER_WITHIN
    item = Resource.objects.get(pk=pk)
    assert item.status == Resource.Status.APPROVED
    # A newly approved resource is checked in the next sweep.
    assert item in selectors.resources_due(now=timezone.now())
