"""Weeks of study: the week-packing rule, declared once.

Items (topics) are laid out in order, each week filled up to its hours. An item is never split
between weeks it shares with others: one that does not fit in what is left of a week starts
the next week. An item larger than a whole week takes as many whole weeks as it needs to
itself (its hours spread over them, the last week keeps the remainder and is not shared). A
new group (a phase) always starts a new week.

The personal plan (`apps.progress.plan`, ARCHITECTURE.md "The plan") packs a learner's
remaining topics with it at their own pace; the phase page packs one phase at the site's
reference pace, and the enrichment's hours are chosen so that each phase of the seed fills
exactly its four weeks at 10 hours a week.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

# The pace the roadmap's 16 weeks assume; also a new enrolment's default.
REFERENCE_HOURS_PER_WEEK = 10

T = TypeVar("T")


@dataclass
class Week(Generic[T]):
    """One week: `items` studied in it, in order, and the hours they take in it.

    `continued` is True when the week carries on the one item of the week before (an item
    larger than a week); such a week holds that item alone.
    """

    items: list[T] = field(default_factory=list)
    hours: int = 0
    continued: bool = False

    @property
    def starting(self) -> list[T]:
        """The items that start this week (none in a continued week)."""
        return [] if self.continued else self.items


def pack_into_weeks(
    items: Sequence[T],
    hours_of: Sequence[int],
    hours_per_week: int,
    *,
    groups: Sequence[Hashable] | None = None,
) -> list[Week[T]]:
    """Weeks for `items` (with `hours_of` each) at `hours_per_week`; see the module's rule.

    `groups`, one per item, starts a new week wherever it changes (the plan's phases).
    Negative hours count as 0.
    """
    if hours_per_week < 1:
        raise ValueError("hours_per_week must be at least 1")
    if groups is not None and len(groups) != len(items):
        raise ValueError("groups must name one group per item")
    weeks: list[Week[T]] = []
    shareable: Week[T] | None = None  # the last week, if the next item may join it
    group: Hashable = None
    for index, (item, raw_hours) in enumerate(zip(items, hours_of, strict=True)):
        hours = max(raw_hours, 0)
        item_group = groups[index] if groups is not None else None
        if (
            shareable is not None
            and item_group == group
            and shareable.hours + hours <= hours_per_week
        ):
            shareable.items.append(item)
            shareable.hours += hours
            continue
        group = item_group
        first = Week(items=[item], hours=min(hours, hours_per_week))
        weeks.append(first)
        shareable = first
        if hours <= hours_per_week:
            continue
        for done in range(hours_per_week, hours, hours_per_week):
            weeks.append(
                Week(items=[item], hours=min(hours_per_week, hours - done), continued=True)
            )
        shareable = None  # an item larger than a week keeps its last week to itself
    return weeks
