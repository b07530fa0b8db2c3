"""Link health: the rules with frozen time, claims with leases, what is due, and the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.linkcheck import selectors, services
from apps.linkcheck.checker import Verdict
from apps.linkcheck.models import LinkCheck, LinkClaim
from apps.roadmap.models import Resource
from tests.factories import resource
from tests.support.link_health import record, result, version

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Health = Resource.Health


# -- the rules


def test_failing_then_broken_only_after_three_failures_over_48_hours(roadmap, topic) -> None:
    item = resource(roadmap, topic)
    start = version(roadmap)
    with time_machine.travel(T0, tick=False):
        check = record(item, Verdict.BROKEN, 404, error="HTTP 404")
    assert (check.verdict, check.status_code, check.error, check.url) == (
        "broken",
        404,
        "HTTP 404",
        item.url,
    )
    assert item.health == Health.FAILING
    assert (item.consecutive_failures, item.first_failure_at, item.last_checked_at) == (1, T0, T0)
    assert version(roadmap) == start + 1  # unknown -> failing

    with time_machine.travel(T0 + timedelta(hours=24), tick=False):
        record(item, Verdict.ERROR, 503)
    assert (item.health, item.consecutive_failures) == (Health.FAILING, 2)
    assert version(roadmap) == start + 1  # still failing: no change, no bump

    # A third failure 47 h 59 min after the first is not yet 48 hours of failing.
    with time_machine.travel(T0 + timedelta(hours=47, minutes=59), tick=False):
        record(item, Verdict.BROKEN, 404)
    assert (item.health, item.consecutive_failures) == (Health.FAILING, 3)

    with time_machine.travel(T0 + timedelta(hours=48), tick=False):
        record(item, Verdict.BROKEN, 410)
    assert (item.health, item.consecutive_failures, item.first_failure_at) == (
        Health.BROKEN,
        4,
        T0,
    )
    assert version(roadmap) == start + 2
    assert LinkCheck.objects.filter(resource=item).count() == 4


def test_three_failures_in_one_day_are_not_broken(roadmap, topic) -> None:
    item = resource(roadmap, topic)
    for hours in (0, 6, 12, 23):
        with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
            record(item, Verdict.BROKEN, 404)
    assert (item.health, item.consecutive_failures) == (Health.FAILING, 4)


def test_one_good_check_brings_a_broken_link_back(roadmap, topic) -> None:
    item = resource(roadmap, topic)
    for day in range(3):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            record(item, Verdict.BROKEN, 404)
    assert item.health == Health.BROKEN
    before = version(roadmap)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        record(item, Verdict.OK, 200)
    assert (item.health, item.consecutive_failures, item.first_failure_at) == (Health.OK, 0, None)
    assert version(roadmap) == before + 1
    # And the streak starts over: one failure is failing again, not broken.
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        record(item, Verdict.BROKEN, 404)
    assert (item.health, item.first_failure_at) == (Health.FAILING, T0 + timedelta(days=4))


def test_a_permanent_redirect_is_redirected_with_its_final_url(roadmap, topic) -> None:
    item = resource(roadmap, topic, url="https://old.example/page")
    with time_machine.travel(T0, tick=False):
        record(item, Verdict.REDIRECTED, 200, final_url="https://new.example/page")
    assert (item.health, item.final_url) == (Health.REDIRECTED, "https://new.example/page")
    with time_machine.travel(T0 + timedelta(days=7), tick=False):
        record(item, Verdict.OK, 200)
    assert (item.health, item.final_url) == (Health.OK, "")


def test_blocked_keeps_the_failure_streak(roadmap, topic) -> None:
    item = resource(roadmap, topic)
    with time_machine.travel(T0, tick=False):
        record(item, Verdict.BROKEN, 404)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        record(item, Verdict.BLOCKED, 429)
    assert (item.health, item.consecutive_failures, item.first_failure_at) == (
        Health.BLOCKED,
        1,
        T0,
    )
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        record(item, Verdict.BROKEN, 404)
    assert (item.health, item.consecutive_failures) == (Health.FAILING, 2)


def test_the_thresholds_are_settings(settings, roadmap, topic) -> None:
    settings.LINKCHECK_BROKEN_AFTER_CHECKS = 2
    settings.LINKCHECK_BROKEN_AFTER_HOURS = 1
    item = resource(roadmap, topic)
    with time_machine.travel(T0, tick=False):
        record(item, Verdict.BROKEN, 404)
    with time_machine.travel(T0 + timedelta(minutes=59), tick=False):
        record(item, Verdict.BROKEN, 404)
    assert item.health == Health.FAILING
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        record(item, Verdict.BROKEN, 404)
    assert item.health == Health.BROKEN


def test_a_pending_resource_gets_health_without_touching_the_public_version(roadmap, topic) -> None:
    item = resource(roadmap, topic, status=Resource.Status.PENDING)
    start = version(roadmap)
    record(item, Verdict.BROKEN, 404)
    assert item.health == Health.FAILING
    assert version(roadmap) == start


# -- claims


def test_a_result_is_recorded_only_under_the_claim_it_was_checked_under(roadmap, topic) -> None:
    item = resource(roadmap, topic)
    now = timezone.now()
    assert services.link_claims_take(resources=[item], token="first", now=now) == [item.pk]
    # A second claimant finds the live lease and gets nothing.
    assert services.link_claims_take(resources=[item], token="second", now=now) == []
    ok = result(item.url, Verdict.OK, 200)
    assert (
        services.link_check_record(resource_id=item.pk, token="second", result=ok, started=now)
        is None
    )
    assert services.link_check_record(resource_id=item.pk, token="first", result=ok, started=now)
    # The same result again (a redelivered task) writes nothing: the claim is used up.
    assert (
        services.link_check_record(resource_id=item.pk, token="first", result=ok, started=now)
        is None
    )
    assert LinkCheck.objects.filter(resource=item).count() == 1


def test_a_crashed_workers_lease_runs_out(settings, roadmap, topic) -> None:
    item = resource(roadmap, topic)
    with time_machine.travel(T0, tick=False):
        assert services.link_claims_take(resources=[item], token="dead", now=timezone.now())
    later = T0 + timedelta(seconds=settings.LINKCHECK_LEASE_SECONDS - 1)
    assert services.link_claims_take(resources=[item], token="new", now=later) == []
    expired = T0 + timedelta(seconds=settings.LINKCHECK_LEASE_SECONDS)
    assert services.link_claims_take(resources=[item], token="new", now=expired) == [item.pk]
    # The dead worker, had it come back, can no longer record anything.
    ok = result(item.url, Verdict.OK, 200)
    assert (
        services.link_check_record(resource_id=item.pk, token="dead", result=ok, started=T0) is None
    )


def test_a_url_changed_during_the_check_records_nothing(roadmap, topic) -> None:
    item = resource(roadmap, topic, url="https://a.example/old")
    now = timezone.now()
    services.link_claims_take(resources=[item], token="t", now=now)
    Resource.objects.filter(pk=item.pk).update(url="https://a.example/new")
    stale = result("https://a.example/old", Verdict.BROKEN, 404)
    assert (
        services.link_check_record(resource_id=item.pk, token="t", result=stale, started=now)
        is None
    )
    assert not LinkCheck.objects.exists()
    assert LinkClaim.objects.get(resource=item).leased_until is None  # free again


# -- what is due


def test_due_resources_oldest_first_with_the_failing_interval(roadmap, topic) -> None:
    with time_machine.travel(T0, tick=False):
        never = resource(roadmap, topic, title="never")
        week_old = resource(roadmap, topic, title="week", last_checked_at=T0 - timedelta(days=8))
        fresh = resource(roadmap, topic, title="fresh", last_checked_at=T0 - timedelta(days=6))
        failing = resource(
            roadmap,
            topic,
            title="failing",
            health=Health.FAILING,
            consecutive_failures=1,
            last_checked_at=T0 - timedelta(hours=25),
        )
        failing_recent = resource(
            roadmap,
            topic,
            title="failing-recent",
            health=Health.FAILING,
            consecutive_failures=1,
            last_checked_at=T0 - timedelta(hours=23),
        )
        pending = resource(roadmap, topic, title="pending", status=Resource.Status.PENDING)
        no_link = Resource.objects.create(
            roadmap=roadmap, topic=topic, title="no-link", status=Resource.Status.APPROVED
        )
        due = list(selectors.resources_due(now=T0))
    assert [r.title for r in due] == ["never", "week", "failing"]
    assert {fresh, failing_recent, pending, no_link}.isdisjoint(due)
    assert {never, week_old, failing} == set(due)


def test_a_requested_check_is_due_first_even_when_pending_or_fresh(roadmap, topic) -> None:
    with time_machine.travel(T0, tick=False):
        never = resource(roadmap, topic, title="never")
        fresh = resource(roadmap, topic, title="fresh", last_checked_at=T0 - timedelta(hours=1))
        pending = resource(roadmap, topic, title="pending", status=Resource.Status.PENDING)
        services.link_check_request(resource=fresh)
        services.link_check_request(resource=pending)
        due = [r.title for r in selectors.resources_due(now=T0)]
    assert set(due[:2]) == {"fresh", "pending"} and due[2:] == ["never"]
    assert never.pk


def test_the_sweep_claims_one_batch_per_host_and_skips_busy_hosts(settings, roadmap, topic) -> None:
    settings.LINKCHECK_BATCH_SIZE = 2
    a = [resource(roadmap, topic, url=f"https://a.example/{n}") for n in range(3)]
    b = [resource(roadmap, topic, url=f"https://b.example:8443/{n}") for n in range(2)]
    with time_machine.travel(T0, tick=False):
        batches = services.link_sweep_plan()
        assert {batch.host: batch.resource_ids for batch in batches} == {
            "a.example": [a[0].pk, a[1].pk],
            "b.example:8443": [b[0].pk, b[1].pk],
        }
        assert len({batch.token for batch in batches}) == 2
        # A second sweep while those batches run leaves both hosts alone (a[2] waits too).
        assert services.link_sweep_plan() == []
    with time_machine.travel(T0 + timedelta(seconds=settings.LINKCHECK_LEASE_SECONDS), tick=False):
        again = services.link_sweep_plan()
    assert sorted(pk for batch in again for pk in batch.resource_ids) == sorted(
        [a[0].pk, a[1].pk, b[0].pk, b[1].pk]
    )


def test_the_sweep_task_is_on_the_beat_schedule_hourly(settings) -> None:
    from apps.linkcheck import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["linkcheck-sweep"]
    assert entry["task"] == tasks.link_sweep.name
    assert entry["schedule"] == timedelta(hours=1)
    for task in (tasks.link_sweep, tasks.link_check_batch):
        assert task.acks_late and task.reject_on_worker_lost


def test_health_after_is_pure_and_caps_nothing_it_should_not() -> None:
    state = services.health_after(
        health=Health.UNKNOWN,
        consecutive_failures=0,
        first_failure_at=None,
        result=result(
            "https://x.example/",
            Verdict.REDIRECTED,
            200,
            final_url="https://y.example/" + "a" * 2000,
        ),
        now=T0,
        broken_after_checks=3,
        broken_after=timedelta(hours=48),
    )
    assert (state.health, state.final_url) == (Health.REDIRECTED, "")  # too long to store
