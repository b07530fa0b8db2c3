"""The weekly plan: a pure function of the roadmap's topics and one learner's progress.

Weeks run Monday to Sunday in the learner's time zone; week 1 is the week of the start date,
and week numbers never change (check-ins are filed under them). From the week of the plan's
anchor, every topic that is not skipped and was not already done before the anchor is laid out
in phase order, then topic order, filling each week up to the weekly hours. A topic is never
split; one larger than a week's budget takes as many whole weeks as it needs (its hours spread
over them); a new phase always starts a new week. Topics finished after the anchor stay where
they were planned, so finishing work never reshuffles the plan. Re-planning moves the anchor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class PlanTopic:
    slug: str
    phase: int
    order: int
    est_hours: int


@dataclass(frozen=True)
class TopicState:
    status: str  # not_started, in_progress, done, skipped
    done_on: date | None = None  # the learner's local date


@dataclass
class PlanWeek:
    number: int
    starts_on: date
    ends_on: date
    phase: int
    topics: list[str] = field(default_factory=list)
    continues: list[str] = field(default_factory=list)
    hours: int = 0


@dataclass
class Plan:
    current_week: int
    behind_by_weeks: int
    weeks: list[PlanWeek]

    def week_of(self, slug: str) -> int | None:
        for week in self.weeks:
            if slug in week.topics:
                return week.number
        return None


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_number(*, start_date: date, day: date) -> int:
    """Week 1 is the week of the start date; weeks before it have numbers below 1."""
    return (monday_of(day) - monday_of(start_date)).days // 7 + 1


def week_starts_on(*, start_date: date, number: int) -> date:
    return monday_of(start_date) + timedelta(weeks=number - 1)


def build_plan(
    *,
    topics: Iterable[PlanTopic],
    progress: Mapping[str, TopicState],
    hours_per_week: int,
    start_date: date,
    plan_anchor: date,
    today: date,
) -> Plan:
    if hours_per_week < 1:
        raise ValueError("hours_per_week must be at least 1")
    anchor = max(plan_anchor, start_date)
    first_week = week_number(start_date=start_date, day=anchor)

    def planned(topic: PlanTopic) -> bool:
        state = progress.get(topic.slug)
        if state is None:
            return True
        if state.status == "skipped":
            return False
        return not (state.status == "done" and state.done_on is not None and state.done_on < anchor)

    ordered = sorted((t for t in topics if planned(t)), key=lambda t: (t.phase, t.order))
    weeks: list[PlanWeek] = []

    def open_week(phase: int) -> PlanWeek:
        number = first_week + len(weeks)
        starts = week_starts_on(start_date=start_date, number=number)
        week = PlanWeek(number, starts, starts + timedelta(days=6), phase)
        weeks.append(week)
        return week

    current: PlanWeek | None = None
    closed = False  # the week a too-large topic ends in is not shared
    for topic in ordered:
        hours = max(topic.est_hours, 0)
        fits = current is not None and not closed and current.phase == topic.phase
        if not (fits and current.hours + hours <= hours_per_week):
            current = open_week(topic.phase)
            closed = False
        current.topics.append(topic.slug)
        if hours <= hours_per_week:
            current.hours += hours
            continue
        # Larger than a week: whole weeks to itself, the hours spread over them.
        span = math.ceil(hours / hours_per_week)
        current.hours = hours_per_week
        for index in range(1, span):
            current = open_week(topic.phase)
            current.continues.append(topic.slug)
            current.hours = min(hours_per_week, hours - index * hours_per_week)
        closed = True

    this_week = week_number(start_date=start_date, day=today)
    unfinished = [
        week.number
        for week in weeks
        for slug in week.topics
        if progress.get(slug, TopicState("not_started")).status not in {"done", "skipped"}
    ]
    behind = max(0, this_week - min(unfinished)) if unfinished else 0
    return Plan(current_week=this_week, behind_by_weeks=behind, weeks=weeks)
