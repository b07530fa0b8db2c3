"""The weekly plan: a pure function of the roadmap's topics and one learner's progress.

Weeks run Monday to Sunday in the learner's time zone; week 1 is the week of the start date,
and week numbers never change (check-ins are filed under them). From the week of the plan's
anchor, every topic that is not skipped and was not already done before the anchor is laid out
in phase order, then topic order, and packed into weeks by the one week-packing rule
(`apps.roadmap.schedule.pack_into_weeks`: a week filled up to the weekly hours, a topic never
split, one larger than a week on whole weeks of its own, a new phase in a new week). Topics
finished after the anchor stay where they were planned, so finishing work never reshuffles the
plan. Re-planning moves the anchor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from apps.roadmap.schedule import pack_into_weeks


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
    packed = pack_into_weeks(
        ordered,
        [t.est_hours for t in ordered],
        hours_per_week,
        groups=[t.phase for t in ordered],
    )
    weeks = []
    for index, packed_week in enumerate(packed):
        number = first_week + index
        starts = week_starts_on(start_date=start_date, number=number)
        weeks.append(
            PlanWeek(
                number=number,
                starts_on=starts,
                ends_on=starts + timedelta(days=6),
                phase=packed_week.items[0].phase,
                topics=[t.slug for t in packed_week.starting],
                continues=[] if not packed_week.continued else [packed_week.items[0].slug],
                hours=packed_week.hours,
            )
        )

    this_week = week_number(start_date=start_date, day=today)
    unfinished = [
        week.number
        for week in weeks
        for slug in week.topics
        if progress.get(slug, TopicState("not_started")).status not in {"done", "skipped"}
    ]
    behind = max(0, this_week - min(unfinished)) if unfinished else 0
    return Plan(current_week=this_week, behind_by_weeks=behind, weeks=weeks)
