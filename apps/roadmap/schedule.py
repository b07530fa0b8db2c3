"""Weeks of study: topics laid out in order, a week filled up to its hours, never split.

The same rule the personal plan follows (ARCHITECTURE.md, "The plan"), for one phase at the
site's reference pace: the phase page shows its weeks with it, and the enrichment's hours are
chosen so that each phase of the seed fills exactly its four weeks at 10 hours a week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

REFERENCE_HOURS_PER_WEEK = 10

T = TypeVar("T")


@dataclass
class Week(Generic[T]):
    items: list[T] = field(default_factory=list)
    hours: int = 0


def pack_into_weeks(
    items: Sequence[T], hours_of: Sequence[int], hours_per_week: int
) -> list[Week[T]]:
    """Fill weeks in order; an item larger than a week takes as many whole weeks as it needs."""
    if hours_per_week < 1:
        raise ValueError("hours_per_week must be at least 1")
    weeks: list[Week[T]] = []
    current: Week[T] | None = None
    for item, hours in zip(items, hours_of, strict=True):
        if current is not None and current.hours + hours <= hours_per_week:
            current.items.append(item)
            current.hours += hours
            continue
        current = Week(items=[item], hours=min(hours, hours_per_week))
        weeks.append(current)
        remaining = hours - hours_per_week
        while remaining > 0:  # the item continues into the following weeks
            current = Week(items=[item], hours=min(remaining, hours_per_week))
            weeks.append(current)
            remaining -= hours_per_week
    return weeks
