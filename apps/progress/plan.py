"""The weekly plan: a pure function of the roadmap's topics and one learner's progress.

Weeks run Monday to Sunday in the learner's time zone; week 1 is the week of the start date,
and week numbers never change (check-ins are filed under them). From the week of the plan's
anchor, every topic that is not skipped and was not already done before the anchor is laid out
in phase order, then topic order, and packed into weeks by the one week-packing rule
(`apps.roadmap.schedule.pack_into_weeks`: each phase's hours end to end, cut into weeks of
exactly the weekly hours, so a topic may span weeks, every week but a phase's last is full and
none is over; a new phase starts a new week). A phase takes ceil(its hours / weekly hours)
weeks. Topics finished after the anchor stay where they were planned, so finishing work never
reshuffles the plan. Re-planning moves the anchor.

A topic is late once the last week it was planned in is over (`behind_by_weeks`). A learner
with nothing left in this week or before is ahead: `up_next` pulls the next unfinished topics
into this week, as many as one week's hours hold (at least one).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
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
    """`topics` start this week; `continues` were started in an earlier week and go on in this
    one; `hours_by_topic` is the hours each of them takes in this week."""

    number: int
    starts_on: date
    ends_on: date
    phase: int
    topics: list[str] = field(default_factory=list)
    continues: list[str] = field(default_factory=list)
    hours: int = 0
    hours_by_topic: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    current_week: int
    behind_by_weeks: int
    weeks: list[PlanWeek]
    hours_per_week: int

    def week_of(self, slug: str) -> int | None:
        """The week the topic starts in."""
        span = self.weeks_of(slug)
        return span[0] if span else None

    def weeks_of(self, slug: str) -> tuple[int, int] | None:
        """The topic's first and last week (the same week unless it spans weeks)."""
        numbers = [week.number for week in self.weeks if slug in week.hours_by_topic]
        return (numbers[0], numbers[-1]) if numbers else None

    def up_next(self, complete: Collection[str]) -> list[str]:
        """When every topic planned up to this week is in `complete` (done or skipped), the
        next unfinished topics in plan order, as many as one week's hours hold and at least
        one; otherwise none (this week still has work)."""
        unfinished = [
            (week.number, slug, hours)
            for week in self.weeks
            for slug, hours in week.hours_by_topic.items()
            if slug not in complete
        ]
        if not unfinished or unfinished[0][0] <= self.current_week:
            return []
        totals: dict[str, int] = {}
        for _number, slug, hours in unfinished:
            totals[slug] = totals.get(slug, 0) + hours
        picked: list[str] = []
        room = self.hours_per_week
        for slug, hours in totals.items():
            if picked and hours > room:
                break
            picked.append(slug)
            room -= hours
        return picked


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
    weeks: list[PlanWeek] = []
    first_starts = week_starts_on(start_date=start_date, number=first_week)
    for index, packed_week in enumerate(packed):
        parts = packed_week.parts
        starts = first_starts + timedelta(weeks=index)
        hours_by_topic = {p.item.slug: p.hours for p in parts}
        weeks.append(
            PlanWeek(
                number=first_week + index,
                starts_on=starts,
                ends_on=starts + timedelta(days=6),
                phase=parts[0].item.phase,
                topics=[p.item.slug for p in parts if p.first],
                continues=[p.item.slug for p in parts if not p.first],
                hours=sum(hours_by_topic.values()),
                hours_by_topic=hours_by_topic,
            )
        )

    this_week = week_number(start_date=start_date, day=today)
    # The week each unfinished topic should have been finished by is its last week; the
    # plan is behind by the weeks since the earliest of them.
    finished = {slug for slug, state in progress.items() if state.status in {"done", "skipped"}}
    due = {
        slug: week.number for week in weeks for slug in week.hours_by_topic if slug not in finished
    }
    behind = max(0, this_week - min(due.values())) if due else 0
    return Plan(
        current_week=this_week, behind_by_weeks=behind, weeks=weeks, hours_per_week=hours_per_week
    )
