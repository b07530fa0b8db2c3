"""The plan as a pure function: examples, then properties over generated roadmaps."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.progress.plan import (
    PlanTopic,
    TopicState,
    build_plan,
    monday_of,
    week_number,
    week_starts_on,
)

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


def test_fills_weeks_in_order_without_splitting_topics() -> None:
    result = plan(topics((1, 4), (1, 4), (1, 4), (1, 6), (2, 3)))
    assert [(w.number, w.phase, w.topics, w.hours) for w in result.weeks] == [
        (1, 1, ["t1", "t2"], 8),
        (2, 1, ["t3", "t4"], 10),
        (3, 2, ["t5"], 3),  # a new phase starts a new week
    ]
    assert result.weeks[0].starts_on == MONDAY and result.weeks[0].ends_on == date(2026, 11, 29)


def test_a_topic_larger_than_a_week_takes_whole_weeks_to_itself() -> None:
    result = plan(topics((1, 2), (1, 25), (1, 1)))
    assert [(w.topics, w.continues, w.hours) for w in result.weeks] == [
        (["t1"], [], 2),
        (["t2"], [], 10),
        ([], ["t2"], 10),
        ([], ["t2"], 5),
        (["t3"], [], 1),
    ]


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
def test_a_week_exceeds_the_budget_only_when_a_single_topic_does(case) -> None:
    items, budget, progress = case
    hours = {t.slug: t.est_hours for t in items}
    result = plan(items, progress, hours=budget)
    for week in result.weeks:
        assert week.hours <= budget
        total = sum(hours[s] for s in week.topics)
        if total > budget:
            assert len(week.topics) == 1 and hours[week.topics[0]] > budget
        assert not (week.continues and week.topics)


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
        assert after.week_of(slug) == before.week_of(slug)
