"""Packing topics into weeks: hours end to end, every week full, a topic spans weeks.

The one week-packing rule (apps/roadmap/schedule.py): the phase page and the personal plan
(tests/progress/test_plan.py) both use it. Examples first, then properties over generated
inputs.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.roadmap.schedule import Week, pack_into_weeks


def parts_of(hours: list[int], budget: int, groups: list[int] | None = None) -> list[list]:
    """Each week as (item, hours in the week, starts here, ends here) tuples."""
    items = list(range(len(hours)))
    return [
        [(p.item, p.hours, p.first, p.last) for p in week.parts]
        for week in pack_into_weeks(items, hours, budget, groups=groups)
    ]


def test_fills_each_week_up_to_the_budget_in_order() -> None:
    assert parts_of([3, 4, 3, 10, 6, 4], 10) == [
        [(0, 3, True, True), (1, 4, True, True), (2, 3, True, True)],
        [(3, 10, True, True)],
        [(4, 6, True, True), (5, 4, True, True)],
    ]


def test_a_topic_that_does_not_fit_spans_into_the_next_week() -> None:
    # 6 h left after 5: the second topic takes 5 of them and its last hour next week, where
    # the third joins it; nothing waits for a week of its own.
    assert parts_of([5, 6, 4], 10) == [
        [(0, 5, True, True), (1, 5, True, False)],
        [(1, 1, False, True), (2, 4, True, True)],
    ]


def test_a_ten_hour_topic_at_six_hours_a_week_is_weeks_three_to_four() -> None:
    weeks = pack_into_weeks(["a", "b", "c", "d"], [6, 6, 10, 2], 6)
    assert [(w.items, w.hours, w.continued) for w in weeks] == [
        (["a"], 6, False),
        (["b"], 6, False),
        (["c"], 6, False),
        (["c", "d"], 6, True),
    ]
    assert [w.starting for w in weeks] == [["a"], ["b"], ["c"], ["d"]]


def test_a_topic_larger_than_a_week_shares_its_first_and_last_weeks() -> None:
    # Before: 3 | 10 | 10 | 5 | 2+4, five weeks for 34 hours; now the 34 hours fill four.
    assert parts_of([3, 25, 2, 4], 10) == [
        [(0, 3, True, True), (1, 7, True, False)],
        [(1, 10, False, False)],
        [(1, 8, False, True), (2, 2, True, True)],
        [(3, 4, True, True)],
    ]


def test_a_new_group_starts_a_new_week() -> None:
    assert parts_of([2, 2, 9], 10, groups=[1, 1, 2]) == [
        [(0, 2, True, True), (1, 2, True, True)],
        [(2, 9, True, True)],
    ]


def test_an_item_without_hours_sits_in_the_week_where_the_hours_stand() -> None:
    assert parts_of([10, 0, 3], 10) == [
        [(0, 10, True, True), (1, 0, True, True)],
        [(2, 3, True, True)],
    ]
    assert parts_of([0, -4], 10) == [[(0, 0, True, True), (1, 0, True, True)]]


def test_no_topics_no_weeks() -> None:
    assert parts_of([], 10) == []


def test_refuses_a_budget_below_one_hour() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        pack_into_weeks([1], [1], 0)


def test_refuses_groups_that_do_not_match_the_items() -> None:
    with pytest.raises(ValueError, match="one group per item"):
        pack_into_weeks([1, 2], [1, 1], 10, groups=[1])


# -- properties


@st.composite
def inputs(draw) -> tuple[list[int], list[int], list[int], int]:
    hours = draw(st.lists(st.integers(min_value=1, max_value=400), max_size=30))
    phases = sorted(draw(st.lists(st.integers(1, 6), min_size=len(hours), max_size=len(hours))))
    budget = draw(st.integers(min_value=1, max_value=40))
    return list(range(len(hours))), hours, phases, budget


def hours_by_group(hours: list[int], phases: list[int]) -> dict[int, int]:
    total: dict[int, int] = defaultdict(int)
    for h, phase in zip(hours, phases, strict=True):
        total[phase] += h
    return total


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_every_item_has_one_first_and_one_last_week_in_order_and_keeps_its_hours(case) -> None:
    items, hours, phases, budget = case
    weeks = pack_into_weeks(items, hours, budget, groups=phases)
    parts = [(index, part) for index, week in enumerate(weeks) for part in week.parts]
    assert [p.item for _, p in parts if p.first] == items
    assert [p.item for _, p in parts if p.last] == items
    spent: dict[int, int] = defaultdict(int)
    weeks_of: dict[int, list[int]] = defaultdict(list)
    for index, part in parts:
        assert part.hours >= 1
        spent[part.item] += part.hours
        weeks_of[part.item].append(index)
    assert spent == dict(zip(items, hours, strict=True))
    # An item's weeks follow each other: it is studied without a gap, then never again.
    for found in weeks_of.values():
        assert found == list(range(found[0], found[-1] + 1))
    assert [p.item for _, p in parts] == sorted(p.item for _, p in parts)


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_no_week_is_over_budget_and_only_a_groups_last_week_is_under_it(case) -> None:
    items, hours, phases, budget = case
    weeks = pack_into_weeks(items, hours, budget, groups=phases)
    for index, week in enumerate(weeks):
        assert 1 <= week.hours <= budget
        assert week.hours == sum(p.hours for p in week.parts)
        group_ends = (
            index + 1 == len(weeks)
            or phases[weeks[index + 1].parts[0].item] != (phases[week.parts[-1].item])
        )
        if not group_ends:
            assert week.hours == budget


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_a_group_takes_exactly_the_weeks_its_hours_need_and_no_week_mixes_groups(case) -> None:
    items, hours, phases, budget = case
    weeks = pack_into_weeks(items, hours, budget, groups=phases)
    for week in weeks:
        assert len({phases[p.item] for p in week.parts}) == 1
    per_group: dict[int, int] = defaultdict(int)
    for week in weeks:
        per_group[phases[week.parts[0].item]] += 1
    assert per_group == {
        phase: math.ceil(total / budget) for phase, total in hours_by_group(hours, phases).items()
    }


def test_week_is_generic_and_starts_empty() -> None:
    week: Week[str] = Week()
    assert (week.items, week.hours, week.starting, week.continued) == ([], 0, [], False)


# -- the phase page shows the rule at the reference pace


@pytest.mark.django_db
def test_the_phase_page_shows_a_topic_that_crosses_a_weeks_end_in_both_weeks(seed, client) -> None:
    # Phase 2 at 10 h a week: Data Engineering 7 h leaves 3 h of week 5 for Infrastructure
    # Basics (4 h), whose last hour opens week 6.
    seed.topics.filter(slug="data-engineering").update(est_hours=7)
    phase = seed.phases.get(number=2)
    html = client.get(f"/roadmaps/ml-engineer/phases/{phase.slug}/").content.decode()
    weeks = html.split("<h3>Week ")[1:]
    link = 'href="/roadmaps/ml-engineer/topics/infrastructure-basics/"'
    assert weeks[0].startswith("5 ") and link in weeks[0] and "3 of 4 h</span>" in weeks[0]
    assert weeks[1].startswith("6 ") and link in weeks[1] and "1 of 4 h, continued" in weeks[1]
    assert "a topic is never split" not in html
