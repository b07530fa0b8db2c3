"""The plan as a pure function: examples, then properties over generated roadmaps, then the
seed roadmap as a fixed case."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.progress import selectors, services
from apps.progress.models import Enrollment
from apps.progress.plan import (
    PlanTopic,
    TopicState,
    build_plan,
    monday_of,
    week_number,
    week_starts_on,
)
from apps.roadmap.enrichment import parse_enrichment
from apps.roadmap.models import Topic
from apps.roadmap.readme_parser import decode_readme, parse_readme
from tests.support.seed import SEED_ENRICHMENT, SEED_README

MONDAY = date(2026, 11, 23)


def topics(*spec: tuple[int, int]) -> list[PlanTopic]:
    """(phase, hours) pairs in order."""
    return [PlanTopic(f"t{i}", phase, i, hours) for i, (phase, hours) in enumerate(spec, 1)]


def plan(items, progress=None, hours=10, start=MONDAY, anchor=None, today=None):
    return build_plan(
        topics=items,
        progress=progress or {},
        hours_per_week=hours,
        start_date=start,
        plan_anchor=anchor or start,
        today=today or start,
    )


def test_weeks_run_monday_to_sunday_and_week_1_is_the_start_week() -> None:
    sunday = date(2026, 11, 29)
    assert monday_of(sunday) == MONDAY
    assert week_number(start_date=sunday, day=sunday) == 1
    assert week_number(start_date=sunday, day=sunday + timedelta(days=1)) == 2
    assert week_number(start_date=MONDAY, day=MONDAY - timedelta(days=1)) == 0
    assert week_starts_on(start_date=sunday, number=3) == MONDAY + timedelta(weeks=2)


def test_fills_weeks_to_the_hours_in_order_and_a_topic_spans_the_weeks_end() -> None:
    result = plan(topics((1, 4), (1, 4), (1, 4), (1, 6), (2, 3)))
    assert [(w.number, w.phase, w.topics, w.continues, w.hours) for w in result.weeks] == [
        (1, 1, ["t1", "t2", "t3"], [], 10),  # t3: 2 h here, 2 h next week
        (2, 1, ["t4"], ["t3"], 8),
        (3, 2, ["t5"], [], 3),  # a new phase starts a new week
    ]
    assert result.weeks[0].starts_on == MONDAY and result.weeks[0].ends_on == date(2026, 11, 29)


def test_a_topic_larger_than_a_week_spans_weeks_that_it_shares_at_both_ends() -> None:
    result = plan(topics((1, 2), (1, 25), (1, 1)))
    assert [(w.topics, w.continues, w.hours, w.hours_by_topic) for w in result.weeks] == [
        (["t1", "t2"], [], 10, {"t1": 2, "t2": 8}),
        ([], ["t2"], 10, {"t2": 10}),
        (["t3"], ["t2"], 8, {"t2": 7, "t3": 1}),
    ]
    assert result.weeks_of("t2") == (1, 3) and result.week_of("t2") == 1
    assert result.weeks_of("t3") == (3, 3) and result.weeks_of("nowhere") is None


def test_a_ten_hour_topic_at_six_hours_a_week_is_weeks_three_to_four() -> None:
    result = plan(topics((1, 6), (1, 6), (1, 10), (1, 2)), hours=6)
    assert result.weeks_of("t3") == (3, 4)
    assert [w.hours for w in result.weeks] == [6, 6, 6, 6]


def test_skipped_and_earlier_done_topics_are_left_out_later_done_stay() -> None:
    items = topics((1, 5), (1, 5), (1, 5))
    progress = {
        "t1": TopicState("skipped"),
        "t2": TopicState("done", MONDAY - timedelta(days=3)),
        "t3": TopicState("done", MONDAY + timedelta(days=1)),
    }
    result = plan(items, progress)
    assert [w.topics for w in result.weeks] == [["t3"]]


def test_behind_by_weeks_and_replan() -> None:
    items = topics((1, 10), (1, 10), (1, 10))
    late = MONDAY + timedelta(weeks=2, days=2)  # week 3
    result = plan(items, {"t1": TopicState("done", MONDAY)}, today=late)
    assert result.current_week == 3
    assert result.behind_by_weeks == 1  # t2 was planned for week 2
    replanned = plan(items, {"t1": TopicState("done", MONDAY)}, anchor=late, today=late)
    assert [(w.number, w.topics) for w in replanned.weeks] == [(3, ["t2"]), (4, ["t3"])]
    assert replanned.behind_by_weeks == 0


def test_a_spanning_topic_is_late_only_after_its_last_week() -> None:
    items = topics((1, 4), (1, 12), (1, 4))  # t2: weeks 1-2 at 10 h a week
    week_2 = MONDAY + timedelta(weeks=1)
    done = {"t1": TopicState("done", MONDAY)}
    assert plan(items, done, today=week_2).behind_by_weeks == 0
    assert plan(items, done, today=week_2 + timedelta(weeks=1)).behind_by_weeks == 1


def test_up_next_pulls_the_next_topics_into_this_week_when_ahead() -> None:
    items = topics((1, 6), (1, 4), (1, 3), (1, 5), (1, 4), (2, 20))
    # Week 1: t1, t2; week 2: t3, t4 and 2 h of t5; week 3: the rest of t5; then t6.
    done = {"t1": TopicState("done", MONDAY), "t2": TopicState("done", MONDAY)}
    result = plan(items, done)
    complete = set(done)
    assert result.up_next(complete) == ["t3", "t4"]  # 3 + 5 h; t5's 4 h would not fit
    assert result.up_next(set()) == []  # this week's own topics are not done: nothing pulled
    assert result.up_next(complete | {"t3", "t4", "t5"}) == ["t6"]  # at least one, however long
    everything = {t.slug for t in items}
    assert result.up_next(everything) == []


def test_up_next_is_empty_while_a_topic_spanning_this_week_is_unfinished() -> None:
    items = topics((1, 6), (1, 8), (1, 2))  # t2 spans weeks 1-2
    result = plan(items, {"t1": TopicState("done", MONDAY)})
    assert result.up_next({"t1"}) == []
    assert result.up_next({"t1", "t2"}) == ["t3"]


# -- properties


@st.composite
def roadmaps(draw):
    phase_sizes = draw(st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=4))
    items, order = [], 0
    for phase, size in enumerate(phase_sizes, start=1):
        for _ in range(size):
            order += 1
            hours = draw(st.integers(min_value=1, max_value=30))
            items.append(PlanTopic(f"t{order}", phase, order, hours))
    budget = draw(st.integers(min_value=3, max_value=40))
    statuses = draw(
        st.lists(
            st.sampled_from(["not_started", "in_progress", "done", "skipped"]),
            min_size=len(items),
            max_size=len(items),
        )
    )
    progress = {
        t.slug: TopicState(s, MONDAY + timedelta(days=draw(st.integers(-20, 40))))
        for t, s in zip(items, statuses, strict=True)
        if s != "not_started"
    }
    return items, budget, progress


def planned_slugs(result) -> list[str]:
    return [slug for week in result.weeks for slug in week.topics]


@settings(max_examples=300, deadline=None)
@given(roadmaps())
def test_every_planned_topic_appears_once_in_phase_then_topic_order(case) -> None:
    items, budget, progress = case
    result = plan(items, progress, hours=budget)
    slugs = planned_slugs(result)
    assert len(slugs) == len(set(slugs))
    expected = [
        t.slug
        for t in items
        if not (
            t.slug in progress
            and (
                progress[t.slug].status == "skipped"
                or (progress[t.slug].status == "done" and progress[t.slug].done_on < MONDAY)
            )
        )
    ]
    assert slugs == expected  # items are generated in phase order, then topic order
    numbers = [w.number for w in result.weeks]
    assert numbers == list(range(1, len(numbers) + 1))


@settings(max_examples=300, deadline=None)
@given(roadmaps())
def test_no_week_is_over_the_budget_and_its_hours_are_its_topics_parts(case) -> None:
    items, budget, progress = case
    result = plan(items, progress, hours=budget)
    for week in result.weeks:
        assert week.hours <= budget
        assert week.hours == sum(week.hours_by_topic.values())
        assert list(week.hours_by_topic) == week.continues + week.topics
        assert len(week.continues) <= 1  # only the week's first topic can come from before


@settings(max_examples=300, deadline=None)
@given(roadmaps())
def test_no_week_mixes_phases(case) -> None:
    items, budget, progress = case
    phase = {t.slug: t.phase for t in items}
    for week in plan(items, progress, hours=budget).weeks:
        assert {phase[s] for s in week.topics + week.continues} <= {week.phase}


@settings(max_examples=300, deadline=None)
@given(roadmaps(), st.data())
def test_finishing_a_topic_never_moves_another(case, data) -> None:
    items, budget, progress = case
    before = plan(items, progress, hours=budget)
    slugs = planned_slugs(before)
    if not slugs:
        return
    finished = data.draw(st.sampled_from(slugs))
    done_on = MONDAY + timedelta(days=data.draw(st.integers(0, 60)))
    after = plan(items, {**progress, finished: TopicState("done", done_on)}, hours=budget)
    for slug in slugs:
        assert after.weeks_of(slug) == before.weeks_of(slug)


# -- synthetic roadmaps: hours 1..400 in random phases, paces 3..40


@st.composite
def synthetic_roadmaps(draw) -> tuple[list[PlanTopic], int]:
    hours = draw(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=40))
    phases = draw(st.lists(st.integers(1, 6), min_size=len(hours), max_size=len(hours)))
    items = [
        PlanTopic(f"t{order}", phase, order, h)
        for order, (phase, h) in enumerate(zip(phases, hours, strict=True), start=1)
    ]
    shuffled = draw(st.permutations(items))  # the plan orders them, not the caller
    return list(shuffled), draw(st.integers(min_value=3, max_value=40))


def weeks_bound(items: list[PlanTopic], budget: int) -> int:
    """The fewest weeks a plan can have: a new phase starts a new week, no week over budget."""
    per_phase: dict[int, int] = defaultdict(int)
    for topic in items:
        per_phase[topic.phase] += topic.est_hours
    return sum(math.ceil(hours / budget) for hours in per_phase.values())


def check_plan_shape(items: list[PlanTopic], budget: int) -> None:
    result = plan(items, hours=budget)
    assert len(result.weeks) <= weeks_bound(items, budget)
    in_order = [t.slug for t in sorted(items, key=lambda t: (t.phase, t.order))]
    assert [s for w in result.weeks for s in w.topics] == in_order  # each starts once, in order
    spent: dict[str, int] = defaultdict(int)
    for week in result.weeks:
        assert week.hours <= budget
        for slug, hours in week.hours_by_topic.items():
            spent[slug] += hours
    assert spent == {t.slug: t.est_hours for t in items}
    last_weeks = [result.weeks_of(slug)[1] for slug in in_order]
    assert last_weeks == sorted(last_weeks)  # each topic has one last week, in order


@settings(max_examples=300, deadline=None)
@given(synthetic_roadmaps())
def test_a_synthetic_plan_is_never_longer_than_its_phases_need(case) -> None:
    items, budget = case
    check_plan_shape(items, budget)


# -- the seed roadmap, a fixed case


@cache
def seed_topics() -> tuple[list[PlanTopic], dict[int, list[int]]]:
    """The seed's topics (README order, the enrichment's hours and phases) and the weeks the
    README's pathway gives each phase."""
    readme = parse_readme(decode_readme(SEED_README.read_bytes()))
    extra = {t.slug: t for t in parse_enrichment(SEED_ENRICHMENT.read_text("utf-8")).topics}
    items = [
        PlanTopic(t.slug, extra[t.slug].phase or 0, t.order, extra[t.slug].est_hours)
        for t in readme.topics
    ]
    phases = {p.number: list(range(p.week_start, p.week_end + 1)) for p in readme.phases}
    return items, phases


@pytest.mark.parametrize("budget", range(3, 41))
def test_the_seed_plan_is_never_longer_than_its_phases_need(budget: int) -> None:
    items, _ = seed_topics()
    assert sum(t.est_hours for t in items) == 157
    check_plan_shape(items, budget)


def test_the_seed_at_six_hours_a_week_takes_28_weeks_not_35() -> None:
    items, _ = seed_topics()
    result = plan(items, hours=6)
    assert len(result.weeks) == 28
    assert sum(w.hours < 6 for w in result.weeks) == 4  # one per phase: 40, 38, 39, 40 hours


def test_the_seed_at_ten_hours_a_week_is_the_readmes_sixteen_weeks() -> None:
    items, readme_weeks = seed_topics()
    result = plan(items, hours=10)
    weeks_of_phase: dict[int, list[int]] = defaultdict(list)
    for week in result.weeks:
        weeks_of_phase[week.phase].append(week.number)
    assert (
        weeks_of_phase
        == readme_weeks
        == {
            1: [1, 2, 3, 4],
            2: [5, 6, 7, 8],
            3: [9, 10, 11, 12],
            4: [13, 14, 15, 16],
        }
    )
    assert all(not week.continues for week in result.weeks)  # no topic crosses a week's end


# -- the plan on the dashboard (the seed README's roadmap, a real database)

WEEK_1_MONDAY = datetime(2026, 11, 16, 9, tzinfo=ZoneInfo("UTC"))
WEEK_2_THURSDAY = datetime(2026, 11, 26, 12, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def three_hour_enrolment(roadmap, learner) -> Enrollment:
    """Every topic 3 h at 10 h a week: the fourth topic of a phase spans weeks 1-2."""
    Topic.objects.filter(roadmap=roadmap).update(est_hours=3)
    with time_machine.travel(WEEK_1_MONDAY, tick=False):
        return services.enrollment_put(user=learner, roadmap=roadmap, hours_per_week=10)


def dashboard_html(learner) -> str:
    client = Client()
    client.force_login(learner)
    with time_machine.travel(WEEK_2_THURSDAY, tick=False):
        response = client.get("/roadmaps/ml-engineer/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_dashboard_shows_a_spanning_topics_hours_this_week_and_its_weeks(
    learner, three_hour_enrolment
) -> None:
    with time_machine.travel(WEEK_2_THURSDAY, tick=False):
        result = selectors.plan_for(enrollment=three_hour_enrolment)
    week_2 = result.weeks[1]
    (carried,) = week_2.continues
    assert result.weeks_of(carried) == (1, 2) and week_2.hours_by_topic[carried] == 2
    title = escape(Topic.objects.get(slug=carried).title)
    html = dashboard_html(learner)
    assert f'{title}</a> <span class="meta">2 of 3 h · weeks 1–2</span>' in html
    starting = escape(Topic.objects.get(slug=week_2.topics[0]).title)
    assert f'{starting}</a> <span class="meta">3 h</span>' in html
    assert "Up next" not in html  # this week still has work


@pytest.mark.django_db
def test_a_learner_ahead_of_plan_sees_the_next_topics_pulled_into_this_week(
    learner, three_hour_enrolment
) -> None:
    with time_machine.travel(WEEK_2_THURSDAY, tick=False):
        result = selectors.plan_for(enrollment=three_hour_enrolment)
        for week in result.weeks[:2]:
            for slug in week.hours_by_topic:
                topic = Topic.objects.get(slug=slug)
                services.topic_progress_put(user=learner, topic=topic, status="done")
    html = dashboard_html(learner)
    assert '<h3 id="up-next">Up next</h3>' in html
    up_next = html.split('<h3 id="up-next">Up next</h3>', 1)[1].split("</ul>", 1)[0]
    week_3 = result.weeks[2]
    # 10 h of 3-hour topics: the three that start next (one of which may span weeks).
    expected = [slug for week in result.weeks[2:] for slug in week.topics][:3]
    assert week_3.number == 3 and expected[0] in week_3.hours_by_topic
    for slug in expected:
        assert f'href="/roadmaps/ml-engineer/topics/{slug}/"' in up_next
    assert up_next.count('class="topic-list__item"') == 3
