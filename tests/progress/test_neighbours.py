"""The previous and next topic on a topic page: plan order, read one row each side."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.progress.selectors import topic_neighbours
from apps.roadmap.models import Topic
from tests.factories import PhaseFactory, RoadmapFactory, TopicFactory

pytestmark = pytest.mark.django_db
RETIRED = datetime(2026, 1, 1, tzinfo=UTC)


def _plan_order(topics: list[Topic]) -> list[Topic]:
    """The rule written out: phase number (no phase last), then order, then id; active only."""
    active = [t for t in topics if t.retired_at is None]
    return sorted(
        active,
        key=lambda t: (t.phase is None, t.phase.number if t.phase else 0, t.order, t.pk),
    )


@pytest.fixture
def plan() -> list[Topic]:
    roadmap = RoadmapFactory()
    # Phase numbers not in creation order, and topic orders that run backwards across phases:
    # the phase decides first.
    second = PhaseFactory(roadmap=roadmap, number=2)
    first = PhaseFactory(roadmap=roadmap, number=1)
    topics = [
        TopicFactory(roadmap=roadmap, phase=second, order=1),
        TopicFactory(roadmap=roadmap, phase=second, order=5),
        TopicFactory(roadmap=roadmap, phase=second, order=5),  # a tie: the id decides
        TopicFactory(roadmap=roadmap, phase=first, order=9),
        TopicFactory(roadmap=roadmap, phase=first, order=3, retired_at=RETIRED),
        TopicFactory(roadmap=roadmap, phase=first, order=2),
        TopicFactory(roadmap=roadmap, phase=None, order=4),
        TopicFactory(roadmap=roadmap, phase=None, order=0),
        TopicFactory(roadmap=roadmap, phase=second, order=7, retired_at=RETIRED),
    ]
    # Another roadmap's topics are never neighbours.
    TopicFactory(roadmap=RoadmapFactory(slug="other"), phase=None, order=3)
    return topics


def test_every_topics_neighbours_follow_the_plan_order(plan, django_assert_num_queries) -> None:
    ordered = _plan_order(plan)
    assert len(ordered) == 7
    for index, topic in enumerate(ordered):
        with django_assert_num_queries(2):
            previous, following = topic_neighbours(topic=topic)
        expected_previous = ordered[index - 1] if index > 0 else None
        expected_following = ordered[index + 1] if index + 1 < len(ordered) else None
        assert (previous and previous.pk) == (expected_previous and expected_previous.pk)
        assert (following and following.pk) == (expected_following and expected_following.pk)


def test_the_ends_and_the_phase_boundary(plan) -> None:
    ordered = _plan_order(plan)
    first_topic, last_topic = ordered[0], ordered[-1]
    assert first_topic.phase.number == 1 and first_topic.order == 2
    assert topic_neighbours(topic=first_topic)[0] is None
    assert last_topic.phase is None and topic_neighbours(topic=last_topic)[1] is None
    # The last topic of phase 1 (order 9) leads to the first of phase 2 (order 1), and back.
    end_of_one, start_of_two = plan[3], plan[0]
    assert topic_neighbours(topic=end_of_one)[1].pk == start_of_two.pk
    assert topic_neighbours(topic=start_of_two)[0].pk == end_of_one.pk


def test_retired_topics_are_skipped_and_have_no_neighbours(plan) -> None:
    retired = plan[4]  # phase 1, order 3: between order 2 and order 9
    assert topic_neighbours(topic=plan[5])[1].pk == plan[3].pk
    assert topic_neighbours(topic=retired) == (None, None)


def test_a_lone_topic_has_no_neighbours() -> None:
    topic = TopicFactory(roadmap=RoadmapFactory(slug="lone"))
    assert topic_neighbours(topic=topic) == (None, None)
