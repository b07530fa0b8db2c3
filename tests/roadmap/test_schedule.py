"""Packing topics into weeks: in order, a week filled up to its hours, never split."""

from __future__ import annotations

import pytest

from apps.roadmap.schedule import pack_into_weeks


def weeks_of(hours: list[int], budget: int = 10) -> list[tuple[list[int], int]]:
    items = list(range(len(hours)))
    return [(w.items, w.hours) for w in pack_into_weeks(items, hours, budget)]


def test_fills_each_week_up_to_the_budget_in_order() -> None:
    assert weeks_of([3, 4, 3, 10, 6, 4]) == [([0, 1, 2], 10), ([3], 10), ([4, 5], 10)]


def test_never_splits_a_topic_and_never_reorders() -> None:
    # 6 does not fit after 5; the 4 after it does not jump ahead into week 1.
    assert weeks_of([5, 6, 4]) == [([0], 5), ([1, 2], 10)]


def test_a_topic_larger_than_a_week_takes_the_weeks_it_needs() -> None:
    # 25 h spill over three weeks; the next topic fits in the 5 h left in the third.
    assert weeks_of([3, 25, 2, 4]) == [([0], 3), ([1], 10), ([1], 10), ([1, 2], 7), ([3], 4)]


def test_no_topics_no_weeks() -> None:
    assert weeks_of([]) == []


def test_refuses_a_budget_below_one_hour() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        pack_into_weeks([1], [1], 0)
