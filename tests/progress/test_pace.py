"""A learner's pace: speed, the projected finish with its range, and planning at that pace."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.progress import pace, services
from apps.progress.models import Enrollment
from apps.roadmap.models import Topic
from roadmap_site.errors import Invalid
from tests.factories import WeeklyCheckInFactory

pytestmark = pytest.mark.django_db
# Thursday 26 November 2026, noon UTC: week 5 of a plan started Monday 26 October.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))
TODAY = date(2026, 11, 26)


@pytest.fixture
def enrolled(roadmap, learner) -> Enrollment:
    Topic.objects.filter(roadmap=roadmap).update(est_hours=4)
    with time_machine.travel(NOW, tick=False):
        return services.enrollment_put(
            user=learner, roadmap=roadmap, start_date=date(2026, 10, 26), hours_per_week=10
        )


def _done(learner, roadmap, hours: list[int]) -> None:
    topics = Topic.objects.active().filter(roadmap=roadmap).order_by("order")[: len(hours)]
    for topic, taken in zip(topics, hours, strict=True):
        services.topic_progress_put(user=learner, topic=topic, status="done", hours_taken=taken)


def _check_ins(learner, roadmap, by_week: dict[int, int]) -> None:
    for week, hours in by_week.items():
        WeeklyCheckInFactory(user=learner, roadmap=roadmap, week=week, hours=hours)


@time_machine.travel(NOW, tick=False)
def test_speed_projection_and_range_on_a_fixed_data_set(roadmap, learner, enrolled) -> None:
    _done(learner, roadmap, [6, 8, 4])  # ratios 1.5, 2.0, 1.0 over 4-hour estimates
    _check_ins(learner, roadmap, {1: 40, 2: 6, 3: 8, 4: 10, 5: 4})  # week 1 is out of the window
    left = 4 * (Topic.objects.active().filter(roadmap=roadmap).count() - 3)
    figures = pace.pace_for(enrollment=enrolled, today=TODAY)
    assert (figures.ratios, figures.speed) == (3, 1.5)
    assert (figures.check_ins, figures.weekly_hours) == (4, 7.0)
    assert (figures.weekly_low, figures.weekly_high) == (5.5, 8.5)  # 4 6 8 10: type 7
    assert figures.hours_left == left and figures.hours_left_at_pace == left * 1.5
    # finish = today + ceil(7 * hours left at pace / weekly hours) days
    assert figures.finish_on == TODAY + timedelta(days=math.ceil(left * 1.5))
    assert figures.finish_earliest == TODAY + timedelta(days=math.ceil(7 * left * 1.5 / 8.5))
    assert figures.finish_latest == TODAY + timedelta(days=math.ceil(7 * left * 1.5 / 5.5))
    assert figures.plan_hours_per_week == 5  # 7 / 1.5 = 4.67, rounded half up


@time_machine.travel(NOW, tick=False)
def test_a_concrete_projected_date(roadmap, learner, enrolled) -> None:
    Topic.objects.filter(roadmap=roadmap).update(est_hours=1)
    keep = list(Topic.objects.active().filter(roadmap=roadmap).order_by("order")[:5])
    # All but the first five skipped: 5 topics of 1 hour left, at 3.5 hours a week.
    for topic in (
        Topic.objects.active().filter(roadmap=roadmap).exclude(pk__in=[t.pk for t in keep])
    ):
        services.topic_progress_put(user=learner, topic=topic, status="skipped")
    _check_ins(learner, roadmap, {4: 3, 5: 4})
    figures = pace.pace_for(enrollment=enrolled, today=TODAY)
    assert figures.hours_left == 5 and figures.speed is None
    assert figures.finish_on == date(2026, 12, 6)  # ceil(7 * 5 / 3.5) = 10 days
    assert figures.finish_earliest == date(2026, 12, 6)  # 3.75 h a week: ceil(9.33) = 10 days
    assert figures.finish_latest == date(2026, 12, 7)  # 3.25 h a week: ceil(10.77) = 11 days


@time_machine.travel(NOW, tick=False)
def test_under_three_times_no_speed_and_no_check_in_no_date(roadmap, learner, enrolled) -> None:
    _done(learner, roadmap, [6, 8])
    figures = pace.pace_for(enrollment=enrolled, today=TODAY)
    assert figures.speed is None and figures.ratios == 2
    assert figures.finish_on is None and figures.plan_hours_per_week is None
    _check_ins(learner, roadmap, {5: 0})
    assert pace.pace_for(enrollment=enrolled, today=TODAY).finish_on is None  # 0 hours a week


@time_machine.travel(NOW, tick=False)
def test_planning_at_my_pace_replans_within_the_limits(roadmap, learner, enrolled) -> None:
    with pytest.raises(Invalid):
        services.plan_at_my_pace(enrollment=enrolled)
    _done(learner, roadmap, [40, 40, 40])  # ten times the estimates
    _check_ins(learner, roadmap, {5: 20})
    saved = services.plan_at_my_pace(enrollment=enrolled)
    assert saved.hours_per_week == 3  # 20 / 10 = 2, kept within HOURS_PER_WEEK (3 to 40)
    assert saved.plan_anchor == TODAY and saved.start_date == date(2026, 10, 26)
    with pytest.raises(Invalid):  # at that pace already
        services.plan_at_my_pace(enrollment=saved)


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_shows_the_pace_and_the_offer_works_without_js(
    roadmap, learner, enrolled
) -> None:
    web = Client()
    web.force_login(learner)
    page = web.get("/roadmaps/ml-engineer/dashboard/").content.decode()
    assert "Your pace" in page and "Shown once 3 done topics have a time" in page
    _done(learner, roadmap, [6, 8, 4])
    _check_ins(learner, roadmap, {4: 7, 5: 7})
    page = web.get("/roadmaps/ml-engineer/dashboard/").content.decode()
    assert "You take about 1.5× the estimated time" in page
    assert "Plan the rest at my pace (5 hours a week)" in page
    answer = web.post("/roadmaps/ml-engineer/plan-at-my-pace/")
    assert answer.status_code == 302
    assert Enrollment.objects.get(pk=enrolled.pk).hours_per_week == 5


@time_machine.travel(NOW, tick=False)
def test_the_pace_takes_three_queries_however_much_is_done_and_none_from_the_dashboard(
    roadmap, learner, enrolled
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _check_ins(learner, roadmap, {5: 7})
    counts = []
    for hours in ([6, 8, 4], [6, 8, 4, 5, 5, 5, 5, 5, 5]):
        _done(learner, roadmap, hours)
        services.topic_progress_put(
            user=learner,
            topic=Topic.objects.active().filter(roadmap=roadmap).order_by("-order").first(),
            status="done",
        )  # one without an answer: derived
        with CaptureQueriesContext(connection) as queries:
            alone = pace.pace_for(enrollment=enrolled, today=TODAY)
        counts.append(len(queries))
        read = pace._read(enrolled)  # what the dashboard's one pass has already read
        with CaptureQueriesContext(connection) as queries:
            from_the_pass = pace.pace_for(enrollment=enrolled, today=TODAY, read=read)
        assert len(queries) == 0
        assert from_the_pass == alone
    # progress rows, the topics' estimates, the check-ins (the derived times read nothing more)
    assert counts == [3, 3]


def test_whole_hours_read_without_a_stray_decimal(roadmap) -> None:
    """144.0 reads "144", 12.5 stays "12.5" (the dashboard's "Your pace")."""
    from django.template.loader import render_to_string

    figures = pace.Pace(
        ratios=3,
        speed=1.5,
        check_ins=2,
        weekly_hours=12.0,
        weekly_low=10.0,
        weekly_high=12.5,
        hours_left=96,
        hours_left_at_pace=144.0,
        finish_on=None,
        finish_earliest=None,
        finish_latest=None,
        plan_hours_per_week=None,
    )
    html = render_to_string("progress/_pace.html", {"pace": figures, "roadmap": roadmap})
    assert "about 144 at your speed" in html
    assert "12 hours a week on average" in html and "(10 to 12.5)" in html
    assert ".0 " not in html and ".0)" not in html
