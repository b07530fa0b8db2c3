"""Demo health, with frozen time: two failed checks in a row set a fix-by date 7 days out and
email the owner; unfixed past it, the solution is hidden (never deleted); a new demo URL or a
passing check clears it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from apps.linkcheck.checker import LinkResult, Verdict
from apps.outbox.models import OutboxMessage
from apps.solutions import services
from apps.solutions.models import Solution
from apps.solutions.services import SolutionInput
from bench.linkcheck_server import LoopbackServers, Reply, Site

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEMO = "https://fraud-demo.example/"


def result(verdict: Verdict, status: int | None = None) -> LinkResult:
    return LinkResult(
        DEMO, verdict, status, None, 5, 1, None if verdict == Verdict.OK else "HTTP 503"
    )


def check(solution: Solution, verdict: Verdict, status: int | None = None) -> Solution:
    row = services.demo_result_record(
        solution_id=solution.pk, demo_url=DEMO, result=result(verdict, status)
    )
    assert row is not None
    return row


@pytest.fixture
def solution(project, learner):
    learner.email = "ada@mail.example"
    learner.save()
    with time_machine.travel(T0, tick=False):
        return services.solution_submit(
            learner=learner,
            project=project,
            data=SolutionInput("https://github.com/ada/fraud-api", DEMO, "", []),
        )


def warnings() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(task=services.DEMO_WARNING_TASK))


def test_the_whole_cycle_warn_then_hide_then_show_again(solution) -> None:
    with time_machine.travel(T0, tick=False):
        row = check(solution, Verdict.BROKEN, 503)
        assert (row.demo_failures, row.demo_fix_by) == (1, None)  # one failure is not enough
        assert warnings() == []
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        row = check(solution, Verdict.ERROR)
        assert row.demo_failures == 2
        assert row.demo_fix_by == date(2026, 3, 10)  # 7 days after the second failure
        assert row.visibility == "public"
        assert [m.args for m in warnings()] == [[solution.pk]]
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        row = check(solution, Verdict.BROKEN, 404)
        assert row.demo_fix_by == date(2026, 3, 10)  # kept, not pushed out
        assert len(warnings()) == 1  # warned once
    with time_machine.travel(datetime(2026, 3, 10, 23, 0, tzinfo=UTC), tick=False):
        assert (
            check(solution, Verdict.BROKEN, 404).visibility == "public"
        )  # the day itself is still in time
    with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=UTC), tick=False):
        row = check(solution, Verdict.BROKEN, 404)
        assert row.visibility == "hidden_demo"
        assert Solution.objects.filter(pk=solution.pk).exists()  # hidden, never deleted
    with time_machine.travel(datetime(2026, 3, 12, 9, 0, tzinfo=UTC), tick=False):
        row = check(solution, Verdict.OK, 200)
        assert (row.visibility, row.demo_fix_by, row.demo_failures, row.demo_ok) == (
            "public",
            None,
            0,
            True,
        )


def test_the_sweep_hides_an_unfixed_demo_even_when_no_check_ran(solution) -> None:
    Solution.objects.filter(pk=solution.pk).update(
        demo_ok=False, demo_failures=2, demo_fix_by=date(2026, 3, 10)
    )
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False):
        services.demo_sweep()
        assert Solution.objects.get(pk=solution.pk).visibility == "public"
    with time_machine.travel(datetime(2026, 3, 11, 12, 0, tzinfo=UTC), tick=False):
        services.demo_sweep()
        assert Solution.objects.get(pk=solution.pk).visibility == "hidden_demo"


def test_changing_the_url_clears_the_date(solution, learner) -> None:
    with time_machine.travel(T0, tick=False):
        check(solution, Verdict.BROKEN)
        row = check(solution, Verdict.BROKEN)
        assert row.demo_fix_by is not None
        edited = services.solution_edit(
            solution=row,
            learner=learner,
            data=SolutionInput(row.repository_url, "https://fraud-demo-2.example/", "", []),
            if_version=row.version,
        )
        assert (edited.demo_fix_by, edited.demo_failures) == (None, 0)
        # A verdict on the old URL, arriving late, records nothing.
        assert (
            services.demo_result_record(
                solution_id=row.pk, demo_url=DEMO, result=result(Verdict.BROKEN)
            )
            is None
        )


def test_removing_the_demo_clears_the_date_too(solution, learner) -> None:
    with time_machine.travel(T0, tick=False):
        check(solution, Verdict.BROKEN)
        row = check(solution, Verdict.BROKEN)
        edited = services.solution_edit(
            solution=row,
            learner=learner,
            data=SolutionInput(row.repository_url, None, "", []),
            if_version=row.version,
        )
    assert (edited.demo_url, edited.demo_fix_by) == (None, None)


def test_a_bot_wall_neither_breaks_nor_fixes_the_streak(solution) -> None:
    with time_machine.travel(T0, tick=False):
        check(solution, Verdict.BROKEN)
        row = check(solution, Verdict.BLOCKED, 403)
        assert (row.demo_failures, row.demo_fix_by) == (1, None)
        row = check(solution, Verdict.BROKEN)
        assert row.demo_failures == 2 and row.demo_fix_by is not None


def test_the_owner_is_emailed_with_the_fix_by_date(solution) -> None:
    with time_machine.travel(T0, tick=False):
        check(solution, Verdict.BROKEN)
        check(solution, Verdict.BROKEN)
        assert services.demo_warning_send(solution_id=solution.pk) is True
    (message,) = mail.outbox
    assert message.to == ["ada@mail.example"]
    assert "9 March 2026" in message.subject
    assert DEMO in message.body and "never deleted" in message.body
    assert f"/solutions/{solution.pk}/" in message.body


def test_the_sweep_follows_the_link_health_schedule(solution, settings) -> None:
    with time_machine.travel(T0, tick=False):
        assert services.demo_sweep() == [solution.pk]
        assert services.demo_sweep() == []  # claimed: not queued twice
        check(solution, Verdict.OK, 200)
    hours = settings.LINKCHECK_INTERVAL_HOURS
    with time_machine.travel(T0 + timedelta(hours=hours) - timedelta(minutes=1), tick=False):
        assert services.demo_sweep() == []
    with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
        assert services.demo_sweep() == [solution.pk]
        check(solution, Verdict.BROKEN)  # failing: checked again on the failing interval
    failing = settings.LINKCHECK_FAILING_INTERVAL_HOURS
    with time_machine.travel(T0 + timedelta(hours=hours + failing), tick=False):
        assert services.demo_sweep() == [solution.pk]
    entry = settings.CELERY_BEAT_SCHEDULE["solutions-demo-sweep"]
    assert entry["schedule"] == settings.CELERY_BEAT_SCHEDULE["linkcheck-sweep"]["schedule"]


def test_the_demo_task_checks_with_the_link_checker_on_loopback(solution, settings) -> None:
    site = Site("127.0.0.22", {"/": Reply(503)})
    with LoopbackServers(site):
        url = site.url("/")
        Solution.objects.filter(pk=solution.pk).update(demo_url=url)
        settings.LINKCHECK_ALLOW_PRIVATE = True
        assert services.demo_checks_run(solution_ids=[solution.pk]) == 1
    row = Solution.objects.get(pk=solution.pk)
    assert (row.demo_ok, row.demo_failures) == (False, 1)
    assert site.stats.requests  # the checker did reach it
