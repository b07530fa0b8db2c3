"""The broker is down (a port where nothing listens): submissions, approvals and "check now"
still answer within 3 seconds, lose nothing, and the next sweep picks the work up."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.utils import timezone

from apps.linkcheck import selectors, services
from apps.linkcheck.models import LinkClaim
from apps.roadmap.models import Resource
from bench.linkcheck_server import unused_port
from roadmap_site.celery import app
from tests.factories import UserFactory, resource
from tests.support.clients import client_for as api

pytestmark = pytest.mark.django_db

ANSWER_WITHIN = 3.0


def _drop_connections() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def dead_broker() -> Iterator[str]:
    """Point this process's Celery app at a broker port where nothing listens."""
    url = f"redis://127.0.0.1:{unused_port()}/9"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    _drop_connections()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield url
    finally:
        _drop_connections()
        app.conf.update(saved)


def test_check_now_answers_fast_and_the_next_sweep_takes_it(
    dead_broker, roadmap, topic, moderator, django_capture_on_commit_callbacks, caplog
) -> None:
    item = resource(roadmap, topic, last_checked_at=timezone.now())  # not due by age
    assert item not in selectors.resources_due(now=timezone.now())
    client = api(moderator)
    client.get(f"/api/v1/resources/{item.pk}/checks/")  # warm: time the request, not imports
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/api/v1/resources/{item.pk}/check/")
    took = time.monotonic() - started
    assert response.status_code == 202
    assert response.json()["queued"] is True  # a broker is configured; it just is not there
    assert len(callbacks) == 1
    assert took < ANSWER_WITHIN, took
    assert "broker is unreachable" in caplog.text
    # Nothing lost: the request is kept and the claim is free, so the sweep takes it first.
    claim = LinkClaim.objects.get(resource=item)
    assert claim.requested_at is not None and claim.leased_until is None and claim.token == ""
    assert list(selectors.resources_due(now=timezone.now())) == [item]
    batches = services.link_sweep_plan()
    assert [batch.resource_ids for batch in batches] == [[item.pk]]


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
