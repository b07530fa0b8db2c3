"""A learner's own pace: their speed against the estimates and when they will finish.

The method (docs/plan.md, "Your pace"):

- Speed: for each done topic with an editorial estimate and a time (said or derived,
  `apps.progress.effort`), the ratio time / estimate; the speed is the median of these ratios
  (`effort.percentile` at 0.5), shown from `PACE_MIN_DONE` of them. 1.5 reads "you take half
  as long again as the estimates".
- Weekly hours: the check-ins filed for the last `PACE_WEEKS` plan weeks, this one included
  (a week without a check-in is unknown, not zero, and left out). Their mean is the expected
  pace; their 25th and 75th percentiles the slow and the fast week.
- Projection: the editorial hours of what is left (active topics neither done nor skipped; 1
  for a topic without an estimate, as in the plan), times the speed (1 until it is known), at
  the mean weekly hours: finish = today + ceil(7 * hours left / weekly hours) days. The range
  takes the 75th percentile of the weekly hours (earliest) and the 25th (latest); a rate of
  0, or a date beyond `CHECK_IN_WEEK.max` weeks, gives no date.
- Plan at my pace: the plan packs editorial hours into weeks; at the learner's pace a week
  holds mean weekly hours / speed of them, rounded half up and kept within `HOURS_PER_WEEK`.
  Offered when it differs from the plan's hours a week (`services.plan_at_my_pace`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from apps.progress import effort
from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from apps.progress.plan import week_number
from apps.roadmap.models import Topic
from roadmap_site.limits import CHECK_IN_WEEK, HOURS_PER_WEEK, PACE_MIN_DONE, PACE_WEEKS


@dataclass(frozen=True)
class Pace:
    ratios: int  # done topics with an estimate and a time
    speed: float | None  # the median ratio, from PACE_MIN_DONE ratios
    check_ins: int  # check-ins in the window
    weekly_hours: float | None  # their mean
    weekly_low: float | None  # their 25th percentile
    weekly_high: float | None  # their 75th percentile
    hours_left: int  # editorial hours of what is left
    hours_left_at_pace: float
    finish_on: date | None
    finish_earliest: date | None
    finish_latest: date | None
    plan_hours_per_week: int | None  # the plan at this pace, when it differs from the current

    @property
    def speed_text(self) -> str:
        """1.5 as "1.5", 2.0 as "2"."""
        return f"{self.speed:g}" if self.speed is not None else ""

    @property
    def min_done(self) -> int:
        return PACE_MIN_DONE

    @property
    def finished(self) -> bool:
        return self.hours_left == 0


def _half_up(value: Fraction) -> int:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _finish(today: date, hours: Fraction, rate: Fraction | None) -> date | None:
    if rate is None or rate <= 0:
        return None
    days = math.ceil(hours * 7 / rate)
    if days > CHECK_IN_WEEK.max * 7:
        return None
    return today + timedelta(days=days)


@dataclass(frozen=True)
class Read:
    """What the pace is computed from, when the caller (the dashboard's one pass) has read it:
    the learner's progress rows on the roadmap (`topic` loaded), each active topic's estimate
    (topic id -> est_hours) and the check-ins' hours by week."""

    rows: list[TopicProgress]
    estimates: dict[int, int | None]
    check_in_hours: dict[int, int]


def _read(enrollment: Enrollment) -> Read:
    user, roadmap = enrollment.user, enrollment.roadmap
    return Read(
        rows=list(
            TopicProgress.objects.filter(user=user, topic__roadmap=roadmap).select_related("topic")
        ),
        estimates=dict(
            Topic.objects.active().filter(roadmap=roadmap).values_list("pk", "est_hours")
        ),
        check_in_hours=dict(
            WeeklyCheckIn.objects.filter(user=user, roadmap=roadmap).values_list("week", "hours")
        ),
    )


def pace_for(*, enrollment: Enrollment, today: date, read: Read | None = None) -> Pace:
    """The learner's pace on the enrolment's roadmap (`today`: their local date), from `read`
    when given (no query), else three queries: progress, topics, check-ins."""
    user, roadmap = enrollment.user, enrollment.roadmap
    read = read if read is not None else _read(enrollment)
    rows = read.rows
    derived = effort.derived_hours_by_topic(
        user=user,
        roadmap=roadmap,
        rows=rows,
        enrollment=enrollment,
        check_in_hours=read.check_in_hours,
    )
    ratios: list[Fraction] = []
    for row in rows:
        if row.status != TopicProgress.Status.DONE or not row.topic.est_hours:
            continue
        taken = row.hours_taken if row.hours_taken is not None else derived.get(row.topic_id)
        if taken is not None:
            ratios.append(Fraction(str(taken)) / row.topic.est_hours)
    speed = Fraction(str(effort.percentile(ratios, 0.5))) if len(ratios) >= PACE_MIN_DONE else None

    settled = {r.topic_id for r in rows if r.status in {"done", "skipped"}}
    hours_left = sum(hours or 1 for pk, hours in read.estimates.items() if pk not in settled)
    at_pace = Fraction(hours_left) * (speed if speed is not None else 1)

    current = week_number(start_date=enrollment.start_date, day=today)
    weekly = [
        hours
        for week, hours in read.check_in_hours.items()
        if current - PACE_WEEKS < week <= current
    ]
    mean = Fraction(sum(weekly), len(weekly)) if weekly else None
    low = Fraction(str(effort.percentile(weekly, 0.25))) if weekly else None
    high = Fraction(str(effort.percentile(weekly, 0.75))) if weekly else None

    suggestion = None
    if speed is not None and mean is not None and mean > 0:
        wanted = _half_up(mean / speed)
        wanted = min(max(wanted, HOURS_PER_WEEK.min), HOURS_PER_WEEK.max)
        suggestion = wanted if wanted != enrollment.hours_per_week else None

    return Pace(
        ratios=len(ratios),
        speed=round(float(speed), 2) if speed is not None else None,
        check_ins=len(weekly),
        weekly_hours=round(float(mean), 1) if mean is not None else None,
        weekly_low=float(low) if low is not None else None,
        weekly_high=float(high) if high is not None else None,
        hours_left=hours_left,
        hours_left_at_pace=round(float(at_pace), 1),
        finish_on=_finish(today, at_pace, mean),
        finish_earliest=_finish(today, at_pace, high),
        finish_latest=_finish(today, at_pace, low),
        plan_hours_per_week=suggestion,
    )
