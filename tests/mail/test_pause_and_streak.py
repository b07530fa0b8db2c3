"""Pause my plan (nothing runs late while paused; resuming lays the rest out from that week;
the page and the API), and streaks in calendar weeks of the learner's time zone across a
daylight-saving change and a change of time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from apps.progress.models import Enrollment
from apps.progress.pause import is_paused, plan_pause, plan_resume
from apps.progress.selectors import check_in_streak, plan_for
from roadmap_site.errors import Conflict
from tests.factories import EnrollmentFactory, TopicFactory, WeeklyCheckInFactory


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def plan_of_three(learner, roadmap, phase, topic):
    """Three topics of 4 hours at 4 hours a week from Monday 2 March 2026: one a week."""
    for order, slug in enumerate(["second", "third"], start=2):
        TopicFactory(
            roadmap=roadmap, section=topic.section, phase=phase, slug=slug, est_hours=4, order=order
        )
    learner.time_zone = "Europe/Berlin"
    learner.save()
    return EnrollmentFactory(
        user=learner,
        roadmap=roadmap,
        start_date=date(2026, 3, 2),
        plan_anchor=date(2026, 3, 2),
        hours_per_week=4,
    )


def _fresh(enrollment: Enrollment) -> Enrollment:
    return Enrollment.objects.select_related("user", "roadmap").get(pk=enrollment.pk)


@pytest.mark.django_db
def test_nothing_runs_late_while_paused_and_resuming_moves_the_rest(plan_of_three):
    with time_machine.travel(_utc("2026-03-04T10:00"), tick=False):  # week 1
        plan_pause(enrollment=plan_of_three)
    with time_machine.travel(_utc("2026-03-25T10:00"), tick=False):  # week 4: three weeks on
        enrollment = _fresh(plan_of_three)
        assert is_paused(enrollment)
        plan = plan_for(enrollment=enrollment)
        assert plan.behind_by_weeks == 0  # the plan's clock stopped in week 1
        assert plan.current_week == 1
        resumed = plan_resume(enrollment=enrollment)
        plan = plan_for(enrollment=_fresh(resumed))
        assert plan.current_week == 4 and plan.behind_by_weeks == 0
        # The three topics now take weeks 4, 5 and 6: three weeks later, the pause's length.
        assert [(w.number, w.topics) for w in plan.weeks] == [
            (4, ["testing"]),
            (5, ["second"]),
            (6, ["third"]),
        ]


@pytest.mark.django_db
def test_without_a_pause_the_same_weeks_run_late(plan_of_three):
    with time_machine.travel(_utc("2026-03-25T10:00"), tick=False):
        assert plan_for(enrollment=_fresh(plan_of_three)).behind_by_weeks == 3


@pytest.mark.django_db
def test_a_pause_runs_out_after_its_limit(plan_of_three, settings):
    with time_machine.travel(_utc("2026-03-04T10:00"), tick=False):
        plan_pause(enrollment=plan_of_three)
    with time_machine.travel(_utc("2026-05-26T10:00"), tick=False):  # 12 weeks less a day
        assert is_paused(_fresh(plan_of_three))
    with time_machine.travel(_utc("2026-05-27T10:00"), tick=False):  # 12 weeks on
        enrollment = _fresh(plan_of_three)
        assert not is_paused(enrollment)
        with pytest.raises(Conflict):
            plan_resume(enrollment=enrollment)
        plan_pause(enrollment=enrollment)  # a new pause may start
        assert is_paused(_fresh(plan_of_three))


@pytest.mark.django_db
def test_pausing_twice_or_resuming_a_running_plan_is_refused(plan_of_three):
    with pytest.raises(Conflict):
        plan_resume(enrollment=plan_of_three)
    plan_pause(enrollment=plan_of_three)
    with pytest.raises(Conflict) as refused:
        plan_pause(enrollment=_fresh(plan_of_three))
    assert refused.value.code == "already_paused"


@pytest.mark.django_db
def test_the_dashboard_pauses_and_resumes_without_javascript(plan_of_three, client, learner):
    client.force_login(learner)
    dashboard = "/roadmaps/ml-engineer/dashboard/"
    assert "Pause my plan" in client.get(dashboard).content.decode()
    answer = client.post("/roadmaps/ml-engineer/pause/", {"action": "pause"})
    assert answer.status_code == 302 and answer["Location"] == dashboard
    page = client.get(dashboard).content.decode()
    assert "Your plan is paused" in page and "Resume my plan" in page
    assert "Check in for week" not in page  # the plan's week stands still: no check-in form
    assert client.post("/roadmaps/ml-engineer/pause/", {"action": "pause"}).status_code == 409
    assert client.post("/roadmaps/ml-engineer/pause/", {"action": "resume"}).status_code == 302
    assert _fresh(plan_of_three).paused_on is None


@pytest.mark.django_db
def test_the_api_pauses_and_resumes(plan_of_three, api_client, learner):
    api_client.force_authenticate(learner)
    url = "/api/v1/me/plan/ml-engineer/pause/"
    with time_machine.travel(_utc("2026-03-04T10:00"), tick=False):
        body = api_client.put(url).json()
        assert body["paused_since"] == "2026-03-04"
        assert body["paused_until"] == "2026-05-27"
        assert api_client.put(url).json()["code"] == "already_paused"
        assert api_client.get("/api/v1/me/enrollments/ml-engineer/").json()["paused_since"]
        body = api_client.delete(url).json()
        assert body["paused_since"] is None and body["paused_until"] is None
        assert api_client.delete(url).status_code == 409


@pytest.mark.django_db
def test_a_paused_plan_takes_no_check_in_by_form_or_api(plan_of_three, client, api_client, learner):
    """One rule (the service's): the weeks stand still while paused, so a check-in is refused
    with the reason, by the dashboard's form (kept as typed) and by the API alike."""
    client.force_login(learner)
    api_client.force_authenticate(learner)
    with time_machine.travel(_utc("2026-03-11T10:00"), tick=False):
        plan_pause(enrollment=_fresh(plan_of_three))
        answer = client.post(
            "/roadmaps/ml-engineer/check-in/", {"hours": "7", "note": "kept as typed"}
        )
        page = answer.content.decode()
        assert answer.status_code == 409
        assert "Your plan is paused since 11 March 2026: resume it to check in." in page
        assert "kept as typed" in page
        refused = api_client.put("/api/v1/me/checkins/ml-engineer/2/", {"hours": 7}, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "plan_paused"
        assert not plan_of_three.user.check_ins.exists()
        plan_resume(enrollment=_fresh(plan_of_three))
        saved = api_client.put("/api/v1/me/checkins/ml-engineer/2/", {"hours": 7}, format="json")
        assert saved.status_code == 200 and saved.json()["hours"] == 7


# -- streaks


@pytest.fixture
def berlin_enrolment(learner, roadmap):
    learner.time_zone = "Europe/Berlin"
    learner.save()
    return EnrollmentFactory(
        user=learner, roadmap=roadmap, start_date=date(2026, 3, 2), plan_anchor=date(2026, 3, 2)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "streak"),
    [
        # Sunday 29 March 23:30 in Berlin (summer time began that night at 02:00): week 4,
        # which has its check-in, so the streak is 4.
        ("2026-03-29T21:30", 4),
        # Monday 30 March 00:30 in Berlin (Sunday 22:30 UTC): week 5 has begun and has no
        # check-in yet; the streak still counts up to week 4.
        ("2026-03-29T22:30", 4),
        # Monday 6 April 00:30 in Berlin: week 5 passed without a check-in.
        ("2026-04-05T22:30", 0),
    ],
)
def test_streak_counts_berlin_weeks_across_the_spring_change(
    berlin_enrolment, learner, roadmap, moment, streak
):
    for week in range(1, 5):
        WeeklyCheckInFactory(user=learner, roadmap=roadmap, week=week)
    with time_machine.travel(_utc(moment), tick=False):
        assert check_in_streak(user=learner, roadmap=roadmap) == streak


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "streak"),
    [
        ("2026-10-25T22:30", 4),  # Sunday 23:30 CET, after the autumn change: week 34 is on
        ("2026-10-25T23:30", 4),  # Monday 00:30 CET: week 35 begun, counted up to week 34
        ("2026-11-01T23:30", 0),  # Monday 00:30 a week later: week 35 had no check-in
    ],
)
def test_streak_counts_berlin_weeks_across_the_autumn_change(
    berlin_enrolment, learner, roadmap, moment, streak
):
    # Week 31 begins on 28 September 2026 (week 1 on 2 March); weeks 31 to 34 have check-ins.
    for week in range(31, 35):
        WeeklyCheckInFactory(user=learner, roadmap=roadmap, week=week)
    with time_machine.travel(_utc(moment), tick=False):
        assert check_in_streak(user=learner, roadmap=roadmap) == streak


@pytest.mark.django_db
def test_streak_follows_the_learner_to_a_new_time_zone(berlin_enrolment, learner, roadmap):
    """Monday 30 March 03:00 UTC: already week 5 in Berlin and Auckland, still week 4 (Sunday)
    in Los Angeles. Weeks 1-4 have check-ins; week 5 is checked in from Berlin."""
    for week in range(1, 6):
        WeeklyCheckInFactory(user=learner, roadmap=roadmap, week=week)
    with time_machine.travel(_utc("2026-03-30T03:00"), tick=False):
        assert check_in_streak(user=learner, roadmap=roadmap) == 5
        learner.time_zone = "America/Los_Angeles"
        learner.save()
        # In Los Angeles it is week 4: week 5's check-in is not counted yet, weeks 1-4 are.
        assert check_in_streak(user=learner, roadmap=roadmap) == 4
        learner.time_zone = "Pacific/Auckland"
        learner.save()
        assert check_in_streak(user=learner, roadmap=roadmap) == 5
    with time_machine.travel(_utc("2026-04-06T03:00"), tick=False):
        learner.time_zone = "America/Los_Angeles"
        learner.save()
        # Sunday 5 April in Los Angeles: week 5, which has its check-in.
        assert check_in_streak(user=learner, roadmap=roadmap) == 5


@pytest.mark.django_db
def test_the_export_carries_the_pause(plan_of_three, learner):
    from apps.progress.selectors import export_section

    with time_machine.travel(_utc("2026-03-04T10:00"), tick=False):
        plan_pause(enrollment=plan_of_three)
    [row] = export_section(learner)["enrollments"]
    assert row["paused_on"] == "2026-03-04"
