"""Weeks of study: the week-packing rule, declared once.

Items (topics) are laid out in order and their hours end to end, as one stream per group (a
phase), and the stream is cut into weeks of exactly the weekly hours: week k of a group holds
the group's hours from (k-1)*budget to k*budget. So:

- every week but a group's last holds exactly the weekly hours, and the group's last holds what
  is left (from 1 hour up to the budget): a group takes ceil(its hours / budget) weeks, the
  fewest possible, and no week is ever over the budget (there is no exception);
- an item whose hours cross a week's end spans weeks: its first week is where its first hour
  falls, its last week where its last hour falls, and it is studied in every week between
  (a 10-hour topic after 12 hours of others, at 6 hours a week, is "weeks 3-4");
- an item keeps its place: items are never reordered, and each has exactly one first and one
  last week;
- a new group always starts a new week; an item without hours sits in the week where the
  stream stands (a group with no hours at all takes one week of 0 hours).

The personal plan (`apps.progress.plan`) packs a learner's remaining topics with it at their
own pace; the phase page packs one phase at the site's reference pace. The enrichment's hours
are chosen so that each phase of the seed fills exactly its four weeks at 10 hours a week, with
no topic crossing a week's end.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

# The pace the roadmap's 16 weeks assume; also a new enrolment's default.
REFERENCE_HOURS_PER_WEEK = 10

T = TypeVar("T")


class Part(NamedTuple, Generic[T]):
    """The hours of one item studied in one week; `first` and `last` say whether the item
    starts and ends in that week (both, unless it spans weeks). A tuple: a plan at 100x content
    makes thousands of them for each learner."""

    item: T
    hours: int
    first: bool
    last: bool


@dataclass
class Week(Generic[T]):
    """One week: the parts of items studied in it, in order."""

    parts: list[Part[T]] = field(default_factory=list)

    @property
    def hours(self) -> int:
        return sum(part.hours for part in self.parts)

    @property
    def items(self) -> list[T]:
        return [part.item for part in self.parts]

    @property
    def starting(self) -> list[T]:
        """The items that start this week."""
        return [part.item for part in self.parts if part.first]

    @property
    def continued(self) -> bool:
        """True when the week opens with an item carried on from the week before."""
        return bool(self.parts) and not self.parts[0].first


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
    group: Hashable = None
    used = 0  # the hours of the last week so far
    for index, (item, raw_hours) in enumerate(zip(items, hours_of, strict=True)):
        item_group = groups[index] if groups is not None else None
        if not weeks or item_group != group:
            weeks.append(Week())
            group = item_group
            used = 0
        left = max(raw_hours, 0)
        first = True
        while True:
            room = hours_per_week - used
            if room == 0 and left > 0:
                weeks.append(Week())
                room = hours_per_week
                used = 0
            taken = min(left, room)
            left -= taken
            used += taken
            weeks[-1].parts.append(Part(item, taken, first, left == 0))
            first = False
            if left == 0:
                break
    return weeks
