"""Real effort: a learner's own time, the learners' figures per topic (k >= 5), the API."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.accounts import services as account_services
from apps.progress import effort, services
from apps.progress.models import TopicProgress
from apps.roadmap.models import Topic
from roadmap_site.errors import Invalid
from roadmap_site.limits import EFFORT_MIN_LEARNERS, TIME_TAKEN
from tests.factories import PASSWORD, UserFactory, WeeklyCheckInFactory

pytestmark = pytest.mark.django_db
# Thursday 26 November 2026, noon UTC.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))


def _topics(roadmap, n: int) -> list[Topic]:
    return list(Topic.objects.active().filter(roadmap=roadmap).order_by("order")[:n])


def _reports(topic: Topic, hours: list[int]) -> list:
    users = []
    for value in hours:
        user = UserFactory()
        services.topic_progress_put(user=user, topic=topic, status="done", hours_taken=value)
        users.append(user)
    return users


# -- percentiles


def test_percentiles_interpolate_linearly_between_closest_ranks() -> None:
    values = [13, 2, 21, 5, 3, 8]  # sorted: 2 3 5 8 13 21
    assert effort.percentile(values, 0.25) == 3.5  # 3 + 0.25 * (5 - 3)
    assert effort.percentile(values, 0.5) == 6.5  # 5 + 0.5 * (8 - 5)
    assert effort.percentile(values, 0.75) == 11.75  # 8 + 0.75 * (13 - 8)
    assert effort.percentile([4], 0.75) == 4


@given(st.lists(st.integers(1, 400), min_size=1, max_size=30), st.floats(0, 1))
def test_a_percentile_lies_between_the_smallest_and_largest(values, p) -> None:
    assert min(values) <= effort.percentile(values, p) <= max(values)


def test_the_database_figures_are_the_same_rule_on_a_fixed_data_set(roadmap) -> None:
    topic = _topics(roadmap, 1)[0]
    _reports(topic, [13, 2, 21, 5, 3, 8])
    figures = effort.effort_for_topic(topic=topic)
    assert (figures.source, figures.count) == ("learners", 6)
    assert (figures.p25, figures.p50, figures.p75) == (3.5, 6.5, 11.75)


def test_without_percentile_cont_the_same_figures_come_from_python(roadmap) -> None:
    """SQLite (the embedded default of `make run`) has no percentile_cont: the answers are
    read in one query and the module's rule gives the same figures as PostgreSQL's."""
    topics = _topics(roadmap, 3)
    _reports(topics[0], [13, 2, 21, 5, 3, 8])
    _reports(topics[1], [1, 2, 3, 4][: EFFORT_MIN_LEARNERS - 1])
    _reports(topics[2], [7, 7, 9, 40, 1])
    ids = [t.pk for t in topics]
    in_python = effort._figures_in_python(ids)
    assert in_python == effort._figures(ids)
    assert in_python[topics[0].pk] == (6, 3.5, 6.5, 11.75)
    assert topics[1].pk not in in_python


# -- k >= 5


def test_fewer_than_k_answers_show_the_editorial_estimate_only(roadmap) -> None:
    topic = _topics(roadmap, 1)[0]
    _reports(topic, [1, 2, 3, 4][: EFFORT_MIN_LEARNERS - 1])
    figures = effort.effort_for_topic(topic=topic)
    assert figures.source == "editorial"
    assert (figures.count, figures.p25, figures.p50, figures.p75) == (0, None, None, None)
    assert figures.editorial_hours == topic.est_hours


def test_derived_times_and_other_statuses_do_not_count_towards_k(roadmap) -> None:
    topic = _topics(roadmap, 1)[0]
    _reports(topic, [2, 4, 6, 8])
    for status in ("done", "in_progress", "skipped"):  # done without an answer: derived only
        services.topic_progress_put(user=UserFactory(), topic=topic, status=status)
    assert effort.effort_for_topic(topic=topic).source == "editorial"


def test_five_learners_then_one_deletes_their_account_falls_back_to_editorial(roadmap) -> None:
    topic = _topics(roadmap, 1)[0]
    users = _reports(topic, [2, 4, 6, 8, 10])
    figures = effort.effort_for_topic(topic=topic)
    assert (figures.count, figures.p25, figures.p50, figures.p75) == (5, 4.0, 6.0, 8.0)
    account_services.user_delete(user=users[0], password=PASSWORD)
    after = effort.effort_for_topic(topic=topic)
    assert (after.source, after.count, after.p50) == ("editorial", 0, None)


def test_an_answer_withdrawn_by_leaving_done_leaves_the_figures(roadmap) -> None:
    topic = _topics(roadmap, 1)[0]
    users = _reports(topic, [2, 4, 6, 8, 10])
    services.topic_progress_put(user=users[-1], topic=topic, status="in_progress")
    row = TopicProgress.objects.get(user=users[-1], topic=topic)
    assert row.hours_taken is None
    assert effort.effort_for_topic(topic=topic).source == "editorial"


def test_every_topic_of_a_roadmap_in_two_queries(roadmap) -> None:
    first, second = _topics(roadmap, 2)
    _reports(first, [1, 1, 2, 3, 5])
    _reports(second, [1, 2])
    with CaptureQueriesContext(connection) as queries:
        by_slug = effort.effort_by_topic(roadmap=roadmap)
    assert len(queries) == 2
    assert by_slug[first.slug].p50 == 2.0 and by_slug[first.slug].count == 5
    assert by_slug[second.slug].source == "editorial"


# -- the learner's answer


def test_the_answer_is_kept_with_done_and_bounded(roadmap, learner) -> None:
    topic = _topics(roadmap, 1)[0]
    row = services.topic_progress_put(user=learner, topic=topic, status="done", hours_taken=3)
    assert row.hours_taken == 3
    again = services.topic_progress_put(user=learner, topic=topic, status="done")
    assert again.hours_taken == 3 and again.version == row.version  # kept, nothing written
    for bad in (TIME_TAKEN.min - 1, TIME_TAKEN.max + 1):
        with pytest.raises(Invalid) as refused:
            services.topic_progress_put(user=learner, topic=topic, status="done", hours_taken=bad)
        assert "hours_taken" in refused.value.fields
    with pytest.raises(Invalid):
        services.topic_progress_put(user=learner, topic=topic, status="in_progress", hours_taken=2)
    assert TopicProgress.objects.get(pk=row.pk).hours_taken == 3


def test_the_answer_is_editable_later_and_only_for_a_done_topic(roadmap, learner) -> None:
    first, second = _topics(roadmap, 2)
    services.topic_progress_put(user=learner, topic=first, status="done")
    row = services.topic_time_put(user=learner, topic=first, hours_taken=7)
    assert row.hours_taken == 7
    assert services.topic_time_put(user=learner, topic=first, hours_taken=None).hours_taken is None
    with pytest.raises(Invalid) as refused:
        services.topic_time_put(user=learner, topic=second, hours_taken=2)
    assert "done" in refused.value.fields["hours_taken"][0]
    assert not TopicProgress.objects.filter(user=learner, topic=second).exists()


@time_machine.travel(NOW, tick=False)
def test_a_derived_time_is_the_topics_share_of_the_weeks_check_in(roadmap, learner) -> None:
    # Started Monday 16 November: this is week 2. Week 2's check-in says 10 hours.
    services.enrollment_put(user=learner, roadmap=roadmap, start_date=date(2026, 11, 16))
    a, b, c = _topics(roadmap, 3)
    a.est_hours, b.est_hours, c.est_hours = 4, 6, 9
    for t in (a, b, c):
        t.save(update_fields=["est_hours"])
    WeeklyCheckInFactory(user=learner, roadmap=roadmap, week=2, hours=10)
    services.topic_progress_put(user=learner, topic=a, status="done")
    services.topic_progress_put(user=learner, topic=b, status="done")
    services.topic_progress_put(user=learner, topic=c, status="done", hours_taken=3)
    derived = effort.derived_hours_by_topic(user=learner, roadmap=roadmap)
    # 10 - 3 answered = 7 left, split 4 : 6.
    assert derived == {a.pk: 2.8, b.pk: 4.2}
    row = TopicProgress.objects.select_related("topic__roadmap").get(user=learner, topic=a)
    assert effort.derived_hours(user=learner, row=row) == 2.8


@time_machine.travel(NOW, tick=False)
def test_no_check_in_that_week_derives_nothing(roadmap, learner) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap, start_date=date(2026, 11, 16))
    topic = _topics(roadmap, 1)[0]
    WeeklyCheckInFactory(user=learner, roadmap=roadmap, week=1, hours=10)  # not this week
    services.topic_progress_put(user=learner, topic=topic, status="done")
    assert effort.derived_hours_by_topic(user=learner, roadmap=roadmap) == {}


# -- the API


def test_the_effort_api_answers_figures_from_k_learners(roadmap) -> None:
    topic = _topics(roadmap, 1)[0]
    url = f"/api/v1/roadmaps/{roadmap.slug}/topics/{topic.slug}/effort/"
    client = APIClient()
    before = client.get(url)
    assert before.status_code == 200
    assert before.json() == {
        "topic": topic.slug,
        "based_on": "editorial",
        "editorial_hours": topic.est_hours,
        "count": 0,
        "min_learners": EFFORT_MIN_LEARNERS,
        "p25": None,
        "p50": None,
        "p75": None,
    }
    _reports(topic, [13, 2, 21, 5, 3, 8])
    body = client.get(url).json()
    assert (body["based_on"], body["count"]) == ("learners", 6)
    assert (body["p25"], body["p50"], body["p75"]) == (3.5, 6.5, 11.75)
    assert client.get(f"/api/v1/roadmaps/{roadmap.slug}/topics/no-such/effort/").status_code == 404


def test_the_progress_api_takes_and_shows_the_time(roadmap, owner_client) -> None:
    topic = _topics(roadmap, 1)[0]
    url = f"/api/v1/me/progress/{roadmap.slug}/topics/{topic.slug}/"
    answer = owner_client.put(url, {"status": "done", "hours_taken": 6}, format="json")
    assert answer.status_code == 200
    assert answer.json()["hours_taken"] == 6 and answer.json()["hours_derived"] is None
    assert owner_client.get(url).json()["hours_taken"] == 6
    refused = owner_client.put(url, {"status": "done", "hours_taken": 0}, format="json")
    assert refused.status_code == 400
    assert owner_client.get(url).json()["hours_taken"] == 6


@time_machine.travel(NOW, tick=False)
def test_the_export_carries_the_learners_times_said_and_derived(roadmap, learner) -> None:
    from apps.progress.selectors import export_section

    services.enrollment_put(user=learner, roadmap=roadmap, start_date=date(2026, 11, 16))
    said, unsaid = _topics(roadmap, 2)
    WeeklyCheckInFactory(user=learner, roadmap=roadmap, week=2, hours=9)
    services.topic_progress_put(user=learner, topic=said, status="done", hours_taken=4)
    services.topic_progress_put(user=learner, topic=unsaid, status="done")
    topics = {row["topic"]: row for row in export_section(learner)["topics"]}
    assert (topics[said.slug]["hours_taken"], topics[said.slug]["hours_derived"]) == (4, None)
    assert (topics[unsaid.slug]["hours_taken"], topics[unsaid.slug]["hours_derived"]) == (None, 5.0)


def test_the_effort_api_takes_two_queries_however_many_answers(roadmap) -> None:
    topic = _topics(roadmap, 1)[0]
    url = f"/api/v1/roadmaps/{roadmap.slug}/topics/{topic.slug}/effort/"
    client = APIClient()
    counts = []
    for hours in ([1, 2, 3, 4, 5], [6] * 20):
        _reports(topic, hours)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts == [2, 2]  # the topic, the figures
