"""Issue 16 through the services: note versions, check-ins that keep their calendar weeks, the
next topic. (The browser tests are tests/e2e/test_learner_week.py.)"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.progress import selectors, services
from apps.progress.models import TopicProgress, WeeklyCheckIn
from roadmap_site.errors import Invalid, Stale
from tests.factories import UserFactory

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))  # a Thursday


@pytest.fixture
def learner(db):
    return UserFactory(username="lena")


def topics(roadmap):
    return list(roadmap.topics.filter(retired_at__isnull=True).order_by("phase__number", "order"))


def test_a_status_change_leaves_the_note_version_alone(seed, learner) -> None:
    topic = topics(seed)[0]
    row = services.topic_note_put(user=learner, topic=topic, note_md="One.", if_note_version=0)
    services.topic_progress_put(user=learner, topic=topic, status="in_progress")
    saved = services.topic_note_put(user=learner, topic=topic, note_md="Two.", if_note_version=1)
    assert (row.note_version, saved.note_version, saved.status) == (1, 2, "in_progress")


def test_a_note_changed_meanwhile_is_refused_with_the_saved_text(seed, learner) -> None:
    topic = topics(seed)[0]
    services.topic_note_put(user=learner, topic=topic, note_md="Phone.", if_note_version=0)
    with pytest.raises(Stale) as refused:
        services.topic_note_put(user=learner, topic=topic, note_md="Laptop.", if_note_version=0)
    assert (refused.value.extra["note"], refused.value.extra["note_version"]) == ("Phone.", 1)
    assert TopicProgress.objects.get(user=learner, topic=topic).note_md == "Phone."


def test_check_ins_keep_their_calendar_weeks_when_the_start_date_moves(seed, learner) -> None:
    with time_machine.travel(NOW, tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=seed)
        services.check_in_put(user=learner, enrollment=enrollment, week=1, hours=4)
        services.enrollment_put(user=learner, roadmap=seed, start_date=date(2026, 11, 5))
        assert list(WeeklyCheckIn.objects.values_list("week", flat=True)) == [4]
        # And back: the check-in is week 1 again, the week it was made in.
        services.enrollment_put(user=learner, roadmap=seed, start_date=date(2026, 11, 24))
        assert list(WeeklyCheckIn.objects.values_list("week", flat=True)) == [1]


def test_a_start_date_after_a_checked_in_week_is_refused(seed, learner) -> None:
    with time_machine.travel(NOW, tick=False):
        enrollment = services.enrollment_put(
            user=learner, roadmap=seed, start_date=date(2026, 11, 5)
        )
        services.check_in_put(user=learner, enrollment=enrollment, week=1, hours=4)
        with pytest.raises(Invalid) as refused:
            services.enrollment_put(user=learner, roadmap=seed, start_date=date(2026, 11, 20))
    assert list(refused.value.fields) == ["start_date"]
    assert list(WeeklyCheckIn.objects.values_list("week", flat=True)) == [1]


def test_a_new_pace_replans_from_today(seed, learner) -> None:
    with time_machine.travel(date(2026, 11, 2), tick=False):
        services.enrollment_put(user=learner, roadmap=seed)
    with time_machine.travel(NOW, tick=False):
        again = services.enrollment_put(
            user=learner, roadmap=seed, start_date=date(2026, 11, 2), hours_per_week=8
        )
    assert again.plan_anchor == date(2026, 11, 26)


def test_the_next_topic_is_the_first_unfinished_in_plan_order(seed, learner) -> None:
    first, second = topics(seed)[:2]
    enrollment = services.enrollment_put(user=learner, roadmap=seed)
    assert selectors.next_topic(enrollment=enrollment) == first
    services.topic_progress_put(user=learner, topic=first, status="done")
    assert selectors.next_topic(enrollment=enrollment) == second


def test_the_calendar_feed_has_dtstamp_and_uids_without_spaces(seed, learner, client) -> None:
    from icalendar import Calendar

    enrollment = services.enrollment_put(user=learner, roadmap=seed)
    response = client.get(f"/calendar/{enrollment.calendar_token}.ics")
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert events
    for event in events:
        assert event.get("DTSTAMP") is not None, event
        assert " " not in str(event["UID"]) and "@" in str(event["UID"]), event["UID"]
    # Its links use SITE_URL, not whatever host the calendar app asked.
    assert "http://127.0.0.1:8000/roadmaps/ml-engineer/" in str(events[0]["DESCRIPTION"])
