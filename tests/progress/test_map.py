"""The roadmap page's map for a learner: their own weeks from their plan, their statuses with
overdue, the side panel's controls and "Done, next topic"; the query count."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.progress import selectors, services
from apps.progress.models import Enrollment, TopicProgress
from apps.roadmap.models import Topic
from tests.support.map_page import assert_map_bounded, read_map

pytestmark = pytest.mark.django_db

PAGE = "/roadmaps/ml-engineer/"
UNPLACED = "Done earlier or skipped"
WEEK_1 = datetime(2026, 11, 16, 12, tzinfo=ZoneInfo("UTC"))  # a Monday
WEEK_4 = datetime(2026, 12, 9, 12, tzinfo=ZoneInfo("UTC"))  # the Wednesday of week 4


def topic(slug: str) -> Topic:
    return Topic.objects.get(roadmap__slug="ml-engineer", slug=slug)


@pytest.fixture
def web(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def enrolled(seed, learner) -> Enrollment:
    """Ada, at 5 hours a week from week 1: the first topic done in week 1, the second in
    progress, the third skipped (the plan leaves skipped topics out)."""
    with time_machine.travel(WEEK_1, tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=seed, hours_per_week=5)
        for slug, status in [
            ("ml-in-research-vs-production", "done"),
            ("model-lifecycle", "in_progress"),
            ("soft-skills-for-ml-engineers", "skipped"),
        ]:
            services.topic_progress_put(user=learner, topic=topic(slug), status=status)
    return enrollment


def nodes_by_slug(table) -> dict:
    return {node.slug: (column, node) for _, column, node in table.linked()}


@time_machine.travel(WEEK_4, tick=False)
def test_an_enrolled_learner_sees_the_weeks_of_their_own_plan(enrolled, web) -> None:
    table = read_map(web.get(PAGE).content.decode())
    plan = selectors.plan_for(enrollment=enrolled)
    last = plan.weeks[-1].number
    assert last == 32  # the seed at 5 h a week (docs/plan.md)
    assert table.weeks[0] == UNPLACED
    assert table.weeks[1:] == [f"Week {n}" + (" this week" if n == 4 else "") for n in range(1, 33)]
    placed = nodes_by_slug(table)
    assert len(placed) == Topic.objects.active().filter(roadmap=enrolled.roadmap).count()
    for slug, (column, node) in placed.items():
        span = plan.weeks_of(slug)
        if span is None:
            assert column == 0, slug
            continue
        assert column == span[0], slug  # column 0 is the first, so week n is column n
        lane = next(i for i, row in enumerate(table.cells) if node in row[column])
        for week in range(span[0] + 1, span[1] + 1):
            carried = [n for n in table.cells[lane][week] if n.slug == slug]
            assert len(carried) == 1 and not carried[0].linked, (slug, week)
    # Algorithms (10 h) after 7 hours of phase 1: 3 h in week 2, 5 in week 3, 2 in week 4.
    column, algorithms = placed["algorithms"]
    assert column == 2 and "10 h · weeks 2–4" in algorithms.text


@time_machine.travel(WEEK_4, tick=False)
def test_each_node_says_its_status_and_overdue_in_words_and_colour(enrolled, web) -> None:
    placed = nodes_by_slug(read_map(web.get(PAGE).content.decode()))
    done = placed["ml-in-research-vs-production"]
    assert done[0] == 1 and done[1].state == "done" and "Done" in done[1].text
    # In progress, planned for weeks 1-2, unfinished in week 4: overdue, and still in progress.
    lifecycle = placed["model-lifecycle"][1]
    assert lifecycle.state == "overdue" and "In progress, overdue" in lifecycle.text
    skipped = placed["soft-skills-for-ml-engineers"]
    assert skipped[0] == 0 and skipped[1].state == "skipped" and "Skipped" in skipped[1].text
    # Algorithms ends this week: not overdue yet; untouched, so not started.
    algorithms = placed["algorithms"][1]
    assert algorithms.state == "not_started" and "Not started" in algorithms.text
    assert "overdue" not in algorithms.text
    later = placed["frameworks"][1]
    assert later.state == "not_started" and "overdue" not in later.text


@time_machine.travel(WEEK_4, tick=False)
def test_topics_done_before_a_replan_move_to_the_first_column(enrolled, web, learner) -> None:
    services.topic_progress_put(user=learner, topic=topic("model-lifecycle"), status="done")
    with time_machine.travel(datetime(2026, 12, 14, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        services.plan_replan(enrollment=enrolled)
        table = read_map(web.get(PAGE).content.decode())
    placed = nodes_by_slug(table)
    assert table.weeks[:2] == [UNPLACED, "Week 5 this week"]
    for slug in ("ml-in-research-vs-production", "model-lifecycle", "soft-skills-for-ml-engineers"):
        assert placed[slug][0] == 0, slug
    assert placed["algorithms"][0] == 1 and placed["algorithms"][1].state == "not_started"


def test_signed_in_but_not_enrolled_sees_their_statuses_on_the_reference_weeks(
    seed, learner, web
) -> None:
    services.topic_progress_put(user=learner, topic=topic("algorithms"), status="in_progress")
    table = read_map(web.get(PAGE).content.decode())
    assert table.weeks == [f"Week {n}" for n in range(1, 17)]
    placed = nodes_by_slug(table)
    assert placed["algorithms"][1].state == "in_progress"
    assert "In progress" in placed["algorithms"][1].text
    assert {node.state for _, node in placed.values()} == {"in_progress", "not_started"}


@time_machine.travel(WEEK_4, tick=False)
def test_the_panel_has_the_learners_status_note_and_the_way_on(enrolled, web, learner) -> None:
    services.topic_progress_put(
        user=learner, topic=topic("model-lifecycle"), status="in_progress", note_md="Halfway."
    )
    response = web.get(
        "/roadmaps/ml-engineer/topics/model-lifecycle/panel/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    panel = response.content.decode()
    assert 'id="status-model-lifecycle-in_progress" class="status-button is-current"' in panel
    assert 'aria-pressed="true">In progress</button>' in panel
    assert ">Halfway.</textarea>" in panel
    assert 'action="/roadmaps/ml-engineer/topics/model-lifecycle/done-next/"' in panel
    # The panel's forms come back to the roadmap page when sent without JavaScript.
    assert panel.count('name="next" value="/roadmaps/ml-engineer/"') == 2


@time_machine.travel(WEEK_4, tick=False)
def test_done_then_next_marks_it_done_and_opens_the_next_unfinished_topic(
    enrolled, web, learner
) -> None:
    # After Model Lifecycle (order 3) come Soft Skills (skipped) and Algorithms (phase 1 order):
    # the next unfinished one in plan order is Algorithms.
    response = web.post(
        "/roadmaps/ml-engineer/topics/model-lifecycle/done-next/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert ">Algorithms</h2>" in response.content.decode()
    row = TopicProgress.objects.get(user=learner, topic__slug="model-lifecycle")
    assert row.status == "done" and row.done_at is not None
    # Without JavaScript: the next topic's page.
    response = web.post("/roadmaps/ml-engineer/topics/algorithms/done-next/")
    assert response.status_code == 302
    assert response["Location"] == "/roadmaps/ml-engineer/topics/frameworks/"
    assert TopicProgress.objects.get(user=learner, topic__slug="algorithms").status == "done"


@time_machine.travel(WEEK_4, tick=False)
def test_done_then_next_on_the_last_unfinished_topic_says_all_is_done(enrolled, web, learner):
    last = Topic.objects.active().filter(roadmap=enrolled.roadmap)
    for other in last.exclude(slug="frameworks"):
        services.topic_progress_put(user=learner, topic=other, status="done")
    response = web.post(
        "/roadmaps/ml-engineer/topics/frameworks/done-next/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Every topic is done or skipped" in response.content.decode()
    response = web.post("/roadmaps/ml-engineer/topics/frameworks/done-next/")
    assert response["Location"] == PAGE


def test_done_then_next_needs_a_signed_in_learner_and_a_known_topic(seed, web) -> None:
    anonymous = Client().post("/roadmaps/ml-engineer/topics/algorithms/done-next/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert web.post("/roadmaps/ml-engineer/topics/nope/done-next/").status_code == 404
    assert web.get("/roadmaps/ml-engineer/topics/algorithms/done-next/").status_code == 405
    assert not TopicProgress.objects.exists()


def test_done_then_next_needs_the_csrf_token(seed, learner) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post("/roadmaps/ml-engineer/topics/algorithms/done-next/")
    assert response.status_code == 403
    assert not TopicProgress.objects.exists()


def test_done_then_next_writes_only_the_callers_own_progress(seed, learner, outsider) -> None:
    client = Client()
    client.force_login(outsider)
    services.topic_progress_put(user=learner, topic=topic("algorithms"), status="in_progress")
    client.post("/roadmaps/ml-engineer/topics/algorithms/done-next/")
    assert TopicProgress.objects.get(user=learner).status == "in_progress"
    assert TopicProgress.objects.get(user=outsider).status == "done"


# The page's query count, enrolled, at the seed's size and at ten times it.
# Without the map it took 19; the map adds its reader's enrolment and progress rows (2); the
# header's moderator check (apps.moderation.context_processors, cached a minute) adds 1 on a
# cold cache, as here; the header's "My plan" and the banner's "Continue: <next topic>" add 5.
# The same at ten times the seed's size. Known waste: the learner's enrolment and progress rows
# are read several times over (by the header, the banner, the statuses and the map).
ENROLLED_PAGE_QUERIES = 27


@pytest.mark.parametrize("size", ["seed", "synthetic"])
def test_the_enrolled_page_with_its_map_takes_a_fixed_number_of_queries(
    request, learner, web, size, django_assert_max_num_queries
) -> None:
    roadmap = request.getfixturevalue(size)
    with time_machine.travel(WEEK_1, tick=False):
        services.enrollment_put(user=learner, roadmap=roadmap, hours_per_week=5)
        first = Topic.objects.active().filter(roadmap=roadmap).order_by("order")[0]
        services.topic_progress_put(user=learner, topic=first, status="done")
    with (
        time_machine.travel(WEEK_4, tick=False),
        django_assert_max_num_queries(ENROLLED_PAGE_QUERIES),
    ):
        response = web.get(f"/roadmaps/{roadmap.slug}/")
    table = read_map(response.content.decode())
    assert_map_bounded(table, roadmap, size)
    assert any(node.state == "done" for _, _, node in table.linked())
