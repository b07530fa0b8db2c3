"""Packing topics into weeks: in order, a week filled up to its hours, never split.

The one week-packing rule: the phase page and the personal plan (tests/progress/test_plan.py)
both use it. Examples first, then properties over generated inputs.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.roadmap.schedule import Week, pack_into_weeks


def weeks_of(hours: list[int], budget: int = 10) -> list[tuple[list[int], int]]:
    items = list(range(len(hours)))
    return [(w.items, w.hours) for w in pack_into_weeks(items, hours, budget)]


def test_fills_each_week_up_to_the_budget_in_order() -> None:
    assert weeks_of([3, 4, 3, 10, 6, 4]) == [([0, 1, 2], 10), ([3], 10), ([4, 5], 10)]


def test_never_splits_a_topic_and_never_reorders() -> None:
    # 6 does not fit after 5; the 4 after it does not jump ahead into week 1.
    assert weeks_of([5, 6, 4]) == [([0], 5), ([1, 2], 10)]


def test_a_topic_larger_than_a_week_takes_whole_weeks_to_itself() -> None:
    # 25 h take three weeks (10, 10, 5); the third is not shared: the plan has always kept a
    # large topic's weeks to itself, and the phase page now follows the same rule.
    weeks = pack_into_weeks([0, 1, 2, 3], [3, 25, 2, 4], 10)
    assert [(w.items, w.hours, w.continued) for w in weeks] == [
        ([0], 3, False),
        ([1], 10, False),
        ([1], 10, True),
        ([1], 5, True),
        ([2, 3], 6, False),
    ]
    assert [w.starting for w in weeks] == [[0], [1], [], [], [2, 3]]


def test_a_new_group_starts_a_new_week() -> None:
    weeks = pack_into_weeks(["a", "b", "c"], [2, 2, 2], 10, groups=[1, 1, 2])
    assert [(w.items, w.hours) for w in weeks] == [(["a", "b"], 4), (["c"], 2)]


def test_no_topics_no_weeks() -> None:
    assert weeks_of([]) == []


def test_refuses_a_budget_below_one_hour() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        pack_into_weeks([1], [1], 0)


def test_refuses_groups_that_do_not_match_the_items() -> None:
    with pytest.raises(ValueError, match="one group per item"):
        pack_into_weeks([1, 2], [1, 1], 10, groups=[1])


# -- properties


@st.composite
def inputs(draw) -> tuple[list[int], list[int], list[int], int]:
    hours = draw(st.lists(st.integers(min_value=0, max_value=60), max_size=30))
    phases = sorted(draw(st.lists(st.integers(1, 4), min_size=len(hours), max_size=len(hours))))
    budget = draw(st.integers(min_value=1, max_value=40))
    return list(range(len(hours))), hours, phases, budget


def _unpacked(weeks: list[Week[int]]) -> list[int]:
    return [item for week in weeks for item in week.starting]


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_every_item_starts_once_in_order_and_keeps_its_hours(case) -> None:
    items, hours, phases, budget = case
    weeks = pack_into_weeks(items, hours, budget, groups=phases)
    assert _unpacked(weeks) == items
    # A shared week holds its items whole; an item alone in its weeks spreads its hours.
    spent = dict.fromkeys(items, 0)
    for week in weeks:
        if len(week.items) == 1:
            spent[week.items[0]] += week.hours
        else:
            for item in week.items:
                spent[item] += hours[item]
    assert spent == dict(zip(items, hours, strict=True))


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_a_week_exceeds_its_budget_never_and_is_shared_only_by_items_that_fit(case) -> None:
    items, hours, phases, budget = case
    for week in pack_into_weeks(items, hours, budget, groups=phases):
        assert 0 <= week.hours <= budget
        if len(week.items) > 1:
            assert sum(hours[i] for i in week.items) == week.hours
            assert not week.continued


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_no_week_mixes_groups_and_each_group_needs_few_weeks(case) -> None:
    items, hours, phases, budget = case
    weeks = pack_into_weeks(items, hours, budget, groups=phases)
    for week in weeks:
        assert len({phases[i] for i in week.items}) == 1
    for phase in set(phases):
        mine = [w for w in weeks if phases[w.items[0]] == phase]
        members = [i for i in items if phases[i] == phase]
        # Never more weeks than one per item plus the whole weeks large items need.
        assert len(mine) <= sum(max(1, math.ceil(hours[i] / budget)) for i in members)
        # Never fewer than the hours need.
        assert len(mine) >= math.ceil(sum(hours[i] for i in members) / budget)


@settings(max_examples=200, deadline=None)
@given(inputs())
def test_a_week_is_closed_only_when_the_next_item_would_not_fit(case) -> None:
    items, hours, phases, budget = case
    weeks = pack_into_weeks(items, hours, budget, groups=phases)
    for week, following in itertools.pairwise(weeks):
        if following.continued:
            continue
        nxt = following.items[0]
        large_before = week.continued or hours[week.items[-1]] > budget
        new_group = phases[nxt] != phases[week.items[-1]]
        assert large_before or new_group or week.hours + hours[nxt] > budget
