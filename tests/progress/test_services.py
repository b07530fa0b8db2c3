"""Enrolment, progress, ticks and check-ins through the services, on the seed roadmap."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from apps.progress import selectors, services
from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from apps.roadmap.models import Project, Resource, Topic
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_import
from roadmap_site.errors import Invalid, Stale

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "ml-engineer-roadmap.md"
pytestmark = pytest.mark.django_db
# Thursday 26 November 2026, noon UTC.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(NOW, tick=False)
def test_enrol_defaults_to_today_in_the_learners_time_zone(roadmap, learner) -> None:
    learner.time_zone = "Pacific/Kiritimati"  # UTC+14: already Friday the 27th there
    learner.save()
    enrollment = services.enrollment_put(user=learner, roadmap=roadmap)
    assert enrollment.start_date == date(2026, 11, 27)
    assert enrollment.plan_anchor == enrollment.start_date
    assert enrollment.hours_per_week == 10 and enrollment.background == "new_to_ml"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hours_per_week": 2}, "hours_per_week"),
        ({"hours_per_week": 41}, "hours_per_week"),
        ({"background": "wizard"}, "background"),
    ],
)
def test_bad_enrolment_is_refused_and_writes_nothing(roadmap, learner, kwargs, field) -> None:
    with pytest.raises(Invalid) as error:
        services.enrollment_put(user=learner, roadmap=roadmap, **kwargs)
    assert field in error.value.fields
    assert not learner.enrollments.exists()
    assert not TopicProgress.objects.exists()


def test_a_goal_project_of_another_roadmap_is_refused(roadmap, learner) -> None:
    other = roadmap_import(text=decode_readme(SEED.read_bytes()), slug="other").roadmap
    project = Project.objects.filter(roadmap=other).first()
    with pytest.raises(Invalid) as error:
        services.enrollment_put(user=learner, roadmap=roadmap, goal_project=project)
    assert "goal_project" in error.value.fields


def test_background_pre_marks_skips_that_are_undone_by_one_write(roadmap, learner) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap, background="software_engineer")
    skipped = TopicProgress.objects.filter(user=learner, status="skipped", auto_skipped=True)
    assert set(skipped.values_list("topic__slug", flat=True)) == {
        "infrastructure-basics",
        "api-development",
        "containerization",
        "version-control",
        "testing",
        "cicd-pipelines",
    }
    testing = Topic.objects.get(roadmap=roadmap, slug="testing")
    row = services.topic_progress_put(user=learner, topic=testing, status="not_started")
    assert row.status == "not_started" and not row.auto_skipped


def test_reenrolling_replaces_settings_and_keeps_progress(roadmap, learner) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap, background="software_engineer")
    testing = Topic.objects.get(roadmap=roadmap, slug="testing")
    services.topic_progress_put(user=learner, topic=testing, status="done", note_md="mine")
    drift = Topic.objects.get(roadmap=roadmap, slug="model-drift")
    services.topic_progress_put(user=learner, topic=drift, status="in_progress")
    enrollment = services.enrollment_put(
        user=learner, roadmap=roadmap, hours_per_week=5, background="data_scientist"
    )
    assert enrollment.hours_per_week == 5
    rows = {p.topic.slug: p for p in TopicProgress.objects.filter(user=learner)}
    assert (rows["testing"].status, rows["testing"].note_md) == ("done", "mine")
    assert rows["model-drift"].status == "in_progress"
    # The old background's untouched skips are undone, the new one's applied.
    assert rows["containerization"].status == "not_started"
    assert rows["algorithms"].status == "skipped" and rows["algorithms"].auto_skipped
    assert learner.enrollments.count() == 1


def test_progress_writes_are_idempotent_and_stale_writes_lose_nothing(roadmap, learner) -> None:
    topic = Topic.objects.get(roadmap=roadmap, slug="feature-stores")
    first = services.topic_progress_put(user=learner, topic=topic, status="in_progress")
    assert first.version == 1
    again = services.topic_progress_put(user=learner, topic=topic, status="in_progress", if_match=1)
    assert again.version == 1 and TopicProgress.objects.filter(user=learner).count() == 1
    services.topic_progress_put(user=learner, topic=topic, status="done", note_md="v2", if_match=1)
    with pytest.raises(Stale) as stale:
        services.topic_progress_put(user=learner, topic=topic, status="skipped", if_match=1)
    # The refusal carries the current state, for the caller to merge and send again.
    assert stale.value.status == 412 and stale.value.code == "stale"
    current = stale.value.extra
    assert (current["status"], current["note"], current["version"]) == ("done", "v2", 2)
    assert current["topic"] == "feature-stores"
    row = TopicProgress.objects.get(user=learner, topic=topic)
    assert (row.status, row.note_md, row.version) == ("done", "v2", 2)
    assert row.done_at is not None


def test_bad_status_and_oversized_notes_are_refused(roadmap, learner) -> None:
    topic = Topic.objects.get(roadmap=roadmap, slug="feature-stores")
    with pytest.raises(Invalid) as bad_status:
        services.topic_progress_put(user=learner, topic=topic, status="finished")
    assert list(bad_status.value.fields) == ["status"]
    with pytest.raises(Invalid) as long_note:
        services.topic_progress_put(user=learner, topic=topic, status="done", note_md="x" * 20_001)
    assert long_note.value.fields == {"note": ["A note can be at most 20,000 characters long."]}
    assert not TopicProgress.objects.exists()


def test_ticks_only_on_approved_resources_and_idempotent(roadmap, learner) -> None:
    resource = Resource.objects.filter(roadmap=roadmap).first()
    services.resource_tick(user=learner, resource=resource)
    services.resource_tick(user=learner, resource=resource)
    assert learner.resource_ticks.count() == 1
    services.resource_untick(user=learner, resource=resource)
    assert learner.resource_ticks.count() == 0
    resource.status = Resource.Status.PENDING
    resource.save()
    with pytest.raises(Invalid):
        services.resource_tick(user=learner, resource=resource)


def test_check_ins_one_per_week_and_the_streak(roadmap, learner) -> None:
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC")), tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=roadmap)  # week 1: 2 Nov
    with time_machine.travel(NOW, tick=False):  # week 4
        for week in (1, 2, 3):
            services.check_in_put(user=learner, enrollment=enrollment, week=week, hours=6)
        services.check_in_put(user=learner, enrollment=enrollment, week=3, hours=9, note_md="ok")
        assert WeeklyCheckIn.objects.filter(user=learner).count() == 3
        assert WeeklyCheckIn.objects.get(user=learner, week=3).hours == 9
        # This week has no check-in yet: the streak counts up to last week.
        assert selectors.check_in_streak(user=learner, roadmap=roadmap) == 3
        services.check_in_put(user=learner, enrollment=enrollment, week=4, hours=1)
        assert selectors.check_in_streak(user=learner, roadmap=roadmap) == 4
        with pytest.raises(Invalid) as error:
            services.check_in_put(user=learner, enrollment=enrollment, week=5, hours=1)
        assert "week" in error.value.fields
        with pytest.raises(Invalid):
            services.check_in_put(user=learner, enrollment=enrollment, week=2, hours=200)
        assert WeeklyCheckIn.objects.get(user=learner, week=2).hours == 6


def test_percent_complete_per_roadmap_phase_and_section(roadmap, learner, outsider) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap)
    section_one = Topic.objects.filter(roadmap=roadmap, section__number=1)
    for topic in section_one:
        services.topic_progress_put(user=learner, topic=topic, status="done")
    summary = selectors.progress_summary(user=learner, roadmap=roadmap)
    assert summary.percent_complete == round(100 * 5 / 38)
    assert dict(summary.sections)[1] == 100 and dict(summary.sections)[2] == 0
    assert summary.topics["data-engineering"] == "done"
    assert selectors.progress_summary(user=outsider, roadmap=roadmap).percent_complete == 0


def test_the_plan_of_an_enrolment_finishing_moves_nothing(roadmap, learner) -> None:
    for topic in Topic.objects.filter(roadmap=roadmap):
        topic.est_hours = 2
        topic.save(update_fields=["est_hours"])
    with time_machine.travel(NOW, tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=roadmap)
        plan = selectors.plan_for(enrollment=enrollment)
        assert plan.current_week == 1 and plan.weeks[0].number == 1
        planned = [slug for week in plan.weeks for slug in week.topics]
        assert len(planned) == 38
        before = {slug: plan.week_of(slug) for slug in planned}
        topic = Topic.objects.get(roadmap=roadmap, slug=plan.weeks[1].topics[0])
        services.topic_progress_put(user=learner, topic=topic, status="done")
        after = selectors.plan_for(enrollment=enrollment)
        assert {slug: after.week_of(slug) for slug in planned} == before


def test_the_enriched_seed_plan_reproduces_the_readmes_four_phases(learner, seed) -> None:
    """At 10 h a week a new enrolment lays phase 1 over weeks 1-4, phase 2 over 5-8,
    phase 3 over 9-12 and phase 4 over 13-16, as the README's pathway says."""
    roadmap = seed
    with time_machine.travel(NOW, tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=roadmap, hours_per_week=10)
        plan = selectors.plan_for(enrollment=enrollment)
    weeks_of = {}
    for week in plan.weeks:
        weeks_of.setdefault(week.phase, []).append(week.number)
    assert weeks_of == {1: [1, 2, 3, 4], 2: [5, 6, 7, 8], 3: [9, 10, 11, 12], 4: [13, 14, 15, 16]}
    assert sum(len(w.topics) for w in plan.weeks) == 38
    with time_machine.travel(NOW, tick=False):
        slower_pace = services.enrollment_put(user=learner, roadmap=roadmap, hours_per_week=5)
        slower = selectors.plan_for(enrollment=slower_pace)
    assert len(slower.weeks) == 32  # 8 + 8 + 8 + 8: each phase's hours in full weeks of 5


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("start", "allowed"),
    [
        (date(2025, 11, 26), True),  # a year ago to the day
        (date(2027, 11, 26), True),  # a year ahead
        (date(2025, 11, 25), False),
        (date(2027, 11, 27), False),
        (date(1, 1, 1), False),
        (date(9999, 12, 31), False),
    ],
)
def test_an_enrolment_starts_within_a_year_of_today(roadmap, learner, start, allowed) -> None:
    if allowed:
        assert services.enrollment_put(user=learner, roadmap=roadmap, start_date=start)
        return
    with pytest.raises(Invalid) as error:
        services.enrollment_put(user=learner, roadmap=roadmap, start_date=start)
    assert error.value.fields == {"start_date": ["Choose a start date within a year of today."]}
    assert not learner.enrollments.exists()


def test_re_enrolling_keeps_a_start_date_older_than_a_year(roadmap, learner) -> None:
    with time_machine.travel(NOW, tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=roadmap)
    with time_machine.travel(datetime(2028, 3, 1, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        again = services.enrollment_put(
            user=learner, roadmap=roadmap, start_date=enrollment.start_date, hours_per_week=6
        )
    assert (again.start_date, again.hours_per_week) == (enrollment.start_date, 6)


def test_check_in_bounds_are_the_limits(roadmap, learner) -> None:
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC")), tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=roadmap)
    with time_machine.travel(NOW, tick=False):  # week 4
        with pytest.raises(Invalid) as error:
            services.check_in_put(
                user=learner, enrollment=enrollment, week=0, hours=-1, note_md="x" * 20_001
            )
        assert error.value.fields == {
            "week": ["Check in for a week from 1 to 4 (this week)."],
            "hours": ["Hours must be from 0 to 168."],
            "note": ["A note can be at most 20,000 characters long."],
        }
        with pytest.raises(Invalid):
            services.check_in_put(user=learner, enrollment=enrollment, week=10**6, hours=1)
        services.check_in_put(user=learner, enrollment=enrollment, week=4, hours=168)
    assert WeeklyCheckIn.objects.get(user=learner).hours == 168


def test_a_negative_version_is_refused(roadmap, learner) -> None:
    topic = Topic.objects.get(roadmap=roadmap, slug="feature-stores")
    with pytest.raises(Invalid) as error:
        services.topic_progress_put(user=learner, topic=topic, status="done", if_match=-1)
    assert "version" in error.value.fields
    assert not TopicProgress.objects.exists()


def test_the_database_holds_the_same_bounds(roadmap, learner) -> None:
    """The models' constraints read the same limits: a write around the services fails too."""
    for week, hours in ((0, 1), (2_601, 1), (1, 169)):
        with pytest.raises(IntegrityError), transaction.atomic():
            WeeklyCheckIn.objects.create(user=learner, roadmap=roadmap, week=week, hours=hours)
    for hours_per_week in (2, 41):
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrollment.objects.create(
                user=learner,
                roadmap=roadmap,
                start_date=NOW.date(),
                plan_anchor=NOW.date(),
                hours_per_week=hours_per_week,
            )
    assert not WeeklyCheckIn.objects.exists() and not Enrollment.objects.exists()
