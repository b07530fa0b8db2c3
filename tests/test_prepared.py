"""roadmap_site.prepared: a queryset compiled once gives what the queryset itself gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.progress import selectors
from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from apps.progress.services import enrollment_put
from apps.roadmap.models import Topic
from roadmap_site.prepared import CompiledQuery
from tests.factories import RoadmapFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_model_instances_with_their_related_objects_are_the_orms(learner, roadmap, topic):
    other = RoadmapFactory(slug="other")
    enrollment_put(user=learner, roadmap=roadmap)
    enrollment_put(user=learner, roadmap=other)
    compiled = selectors._ENROLLMENTS.run(user_id=learner.pk)
    orm = list(selectors.enrollments_query(user_id=learner.pk))
    assert [e.pk for e in compiled] == [e.pk for e in orm] and len(orm) == 2
    for ours, theirs in zip(compiled, orm, strict=True):
        assert _fields(ours) == _fields(theirs)
        assert _fields(ours.roadmap) == _fields(theirs.roadmap)  # select_related, no query
        assert ours.goal_project == theirs.goal_project
    assert selectors._ENROLLMENTS.run(user_id=learner.pk + 1000) == []


def test_union_tuples_keep_their_types_and_order(
    learner, roadmap, topic, django_assert_num_queries
):
    enrollment_put(user=learner, roadmap=roadmap)
    done_at = timezone.now() - timedelta(hours=3)
    TopicProgress.objects.create(
        user=learner, topic=topic, status=TopicProgress.Status.DONE, done_at=done_at
    )
    WeeklyCheckIn.objects.create(user=learner, roadmap=roadmap, week=2, hours=4)
    with django_assert_num_queries(1):
        rows, weeks = selectors.progress_and_check_in_weeks(user=learner, roadmap_id=roadmap.pk)
    assert weeks == {2}
    assert rows[topic.slug].status == "done"
    assert rows[topic.slug].done_at == done_at  # a datetime on both backends, not text
    orm = sorted(selectors._progress_and_weeks_query(user_id=learner.pk, roadmap_id=roadmap.pk))
    compiled = selectors._PROGRESS_AND_WEEKS.run(user_id=learner.pk, roadmap_id=roadmap.pk)
    assert sorted(compiled) == orm


def test_each_placeholder_must_be_in_the_query_and_each_value_given(learner):
    unused = CompiledQuery(
        lambda *, user_id, roadmap_id: Topic.objects.filter(pk=user_id), "user_id", "roadmap_id"
    )
    with pytest.raises(ValueError, match="roadmap_id"):
        unused.run(user_id=1, roadmap_id=2)
    query = CompiledQuery(lambda *, user_id: Enrollment.objects.filter(user_id=user_id), "user_id")
    with pytest.raises(TypeError):
        query.run()
    with pytest.raises(TypeError):
        query.run(user_id=1, other=2)
    assert query.run(user_id=learner.pk) == []


def test_the_same_compiled_query_serves_many_values(roadmap):
    query = CompiledQuery(
        lambda *, roadmap_id: Topic.objects.filter(roadmap_id=roadmap_id).values_list("slug"),
        "roadmap_id",
    )
    TopicFactory(roadmap=roadmap, slug="one")
    other = RoadmapFactory(slug="second")
    TopicFactory(roadmap=other, slug="two")
    assert query.run(roadmap_id=roadmap.pk) == [("one",)]
    assert query.run(roadmap_id=other.pk) == [("two",)]


def test_queries_run_together_give_what_each_gives_alone(
    learner, roadmap, topic, django_assert_num_queries
):
    """`run_together` sends them in one round trip on PostgreSQL (psycopg's pipeline), one by
    one elsewhere: two queries either way, and the same results."""
    enrollment_put(user=learner, roadmap=roadmap)
    TopicProgress.objects.create(user=learner, topic=topic, status=TopicProgress.Status.DONE)
    WeeklyCheckIn.objects.create(user=learner, roadmap=roadmap, week=1, hours=3)
    with django_assert_num_queries(2):
        enrolments, rows, weeks = selectors.enrollments_and_progress(
            user=learner, roadmap_id=roadmap.pk
        )
    assert [_fields(e) for e in enrolments] == [
        _fields(e) for e in selectors.enrollments_of(user=learner)
    ]
    alone_rows, alone_weeks = selectors.progress_and_check_in_weeks(
        user=learner, roadmap_id=roadmap.pk
    )
    assert weeks == alone_weeks == {1}
    assert {slug: (r.status, r.done_at) for slug, r in rows.items()} == {
        slug: (r.status, r.done_at) for slug, r in alone_rows.items()
    }
    # and again on the same connection, its statements prepared now
    again = selectors.enrollments_and_progress(user=learner, roadmap_id=roadmap.pk)
    assert [e.pk for e in again[0]] == [e.pk for e in enrolments] and again[2] == {1}
