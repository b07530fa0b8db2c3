"""How long topics really take: a learner's own time, and the learners' figures per topic.

The rules (docs/plan.md, "Real effort"):

- A learner's time for a done topic is the hours they said (`TopicProgress.hours_taken`) or,
  without an answer, a share of the check-in of the week they finished it in (`derived_hours`):
  what that check-in leaves after the week's answered topics, split over the week's unanswered
  done topics in proportion to their editorial hours (1 for a topic without an estimate, as in
  the plan), rounded half up to a tenth of an hour. No check-in that week: no time.
- The learners' figures for a topic count only the hours learners said: a derived time is our
  own split of the editorial estimate and would pull the figures towards it. They are shown
  only from `EFFORT_MIN_LEARNERS` (k) answers; with fewer, the editorial estimate, labelled so.
  They are computed on read from the live rows, so a deleted account's answers (deleted with
  it) are out of them at once.
- Percentiles interpolate linearly between the closest ranks (PostgreSQL's `percentile_cont`,
  numpy's default "linear", Hyndman and Fan's type 7): over sorted x_0..x_{n-1}, the p-th is
  x_i + f·(x_{i+1} - x_i) where i + f = p·(n - 1). `percentile` is the same rule in Python.
- A topic's learners' median is far from its editorial hours when median / editorial lies
  outside [EFFORT_FAR_LOW, EFFORT_FAR_HIGH] (`is_far`): the moderator's list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q
from django.utils import timezone

from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from apps.progress.plan import week_number
from apps.roadmap.models import Roadmap, Topic
from roadmap_site.limits import (
    EFFORT_FAR_HIGH,
    EFFORT_FAR_LOW,
    EFFORT_MIN_LEARNERS,
    TIME_TAKEN,
    TIME_TAKEN_CHOICES,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

PERCENTILES = (0.25, 0.5, 0.75)


def percentile(values: Sequence[float] | Sequence[Fraction], p: float) -> float:
    """The p-th percentile (0 <= p <= 1) of non-empty `values`, by linear interpolation
    between the closest ranks (the module's rule, as `percentile_cont`)."""
    if not values:
        raise ValueError("percentile of nothing")
    ordered = sorted(Fraction(v) for v in values)
    position = Fraction(p) * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (position - low) * (ordered[high] - ordered[low]))


def _tenth(value: Fraction | float) -> float:
    """Rounded half up to one decimal."""
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(str(value))
    )
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _figure(value: float) -> float:
    """A percentile as shown and served: two decimals (interpolation may leave more)."""
    return round(value, 2)


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(p) WITHIN GROUP (ORDER BY expression)`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile's fraction is from 0 to 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


# -- the learners' figures


@dataclass(frozen=True)
class Effort:
    """A topic's effort as shown: the learners' figures (from k answers) or the editorial
    estimate. `count` is the number of answers behind the figures (0 for editorial: fewer than
    k answers are not counted out loud)."""

    editorial_hours: int | None
    count: int = 0
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None

    @property
    def source(self) -> str:
        return "learners" if self.count else "editorial"

    @property
    def from_learners(self) -> bool:
        return self.count > 0


def _reported() -> Q:
    return Q(status=TopicProgress.Status.DONE, hours_taken__isnull=False)


def _figures(topic_ids: Any) -> dict[int, tuple[int, float, float, float]]:
    """topic id -> (count, p25, p50, p75), for topics with at least k answers: one query."""
    if connection.vendor != "postgresql":
        return _figures_in_python(topic_ids)
    rows = (
        TopicProgress.objects.filter(_reported(), topic_id__in=topic_ids)
        .values("topic_id")
        .annotate(
            n=Count("id"),
            p25=PercentileCont("hours_taken", PERCENTILES[0]),
            p50=PercentileCont("hours_taken", PERCENTILES[1]),
            p75=PercentileCont("hours_taken", PERCENTILES[2]),
        )
        .filter(n__gte=EFFORT_MIN_LEARNERS)
        .values_list("topic_id", "n", "p25", "p50", "p75")
    )
    return {tid: (n, _figure(a), _figure(b), _figure(c)) for tid, n, a, b, c in rows}


def _figures_in_python(topic_ids: Any) -> dict[int, tuple[int, float, float, float]]:
    """`_figures` where the database has no `percentile_cont` (SQLite, the embedded default of
    `make run`): the answers themselves in one query, and the same rule (`percentile`)."""
    answers: dict[int, list[float]] = {}
    rows = TopicProgress.objects.filter(_reported(), topic_id__in=topic_ids).values_list(
        "topic_id", "hours_taken"
    )
    for topic_id, hours in rows:
        if hours is not None:
            answers.setdefault(topic_id, []).append(float(hours))
    low, middle, high = PERCENTILES
    return {
        tid: (
            len(hours),
            _figure(percentile(hours, low)),
            _figure(percentile(hours, middle)),
            _figure(percentile(hours, high)),
        )
        for tid, hours in answers.items()
        if len(hours) >= EFFORT_MIN_LEARNERS
    }


def _effort(topic: Topic, figures: tuple[int, float, float, float] | None) -> Effort:
    if figures is None:
        return Effort(editorial_hours=topic.est_hours)
    n, p25, p50, p75 = figures
    return Effort(editorial_hours=topic.est_hours, count=n, p25=p25, p50=p50, p75=p75)


def effort_for_topic(*, topic: Topic) -> Effort:
    """One topic's effort: one query."""
    return _effort(topic, _figures([topic.pk]).get(topic.pk))


def effort_by_topic(*, roadmap: Roadmap) -> dict[str, Effort]:
    """Every active topic's effort, by slug: two queries (the topics and the figures)."""
    topics = list(Topic.objects.active().filter(roadmap=roadmap))
    figures = _figures(Topic.objects.active().filter(roadmap=roadmap).values("pk"))
    return {t.slug: _effort(t, figures.get(t.pk)) for t in topics}


def is_far(*, median: float, editorial_hours: int | None) -> bool:
    """The one rule of "far from the editorial hours" (see the module's docstring)."""
    if not editorial_hours:
        return True  # no estimate at all: the learners' median is the only figure there is
    ratio = median / editorial_hours
    return not EFFORT_FAR_LOW <= ratio <= EFFORT_FAR_HIGH


@dataclass(frozen=True)
class FarTopic:
    topic: Topic
    effort: Effort

    @property
    def ratio(self) -> float | None:
        if not self.effort.editorial_hours or self.effort.p50 is None:
            return None
        return round(self.effort.p50 / self.effort.editorial_hours, 2)


def far_from_editorial() -> list[FarTopic]:
    """Active topics whose learners' median (from k answers) is far from their editorial
    hours, the farthest first: two queries."""
    topics = Topic.objects.active().select_related("roadmap")
    figures = _figures(topics.values("pk"))
    far = [
        FarTopic(topic=t, effort=_effort(t, figures[t.pk]))
        for t in topics.filter(pk__in=list(figures))
        if is_far(median=figures[t.pk][2], editorial_hours=t.est_hours)
    ]
    far.sort(key=lambda f: (-abs(math.log(f.ratio)) if f.ratio else -math.inf, f.topic.pk))
    return far


def adoptable_hours(*, median: float) -> int:
    """The editorial hours a median becomes when a moderator adopts it: rounded half up,
    at least 1 (the bounds of TOPIC_HOURS are checked by the topic edit)."""
    return max(1, int(Decimal(str(median)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


# -- a learner's own times


def _local_day(user: User, row: TopicProgress) -> date | None:
    if row.done_at is None:
        return None
    return timezone.localtime(row.done_at, user.zone).date()


def derived_hours_by_topic(
    *,
    user: User,
    roadmap: Roadmap,
    rows: Iterable[TopicProgress] | None = None,
    enrollment: Enrollment | None = None,
    check_in_hours: dict[int, int] | None = None,
) -> dict[int, float]:
    """topic id -> the derived time of each done topic without an answer that has one (the
    rule in the module's docstring). `rows` (the learner's progress on the roadmap with `topic`
    loaded), `enrollment` and `check_in_hours` (week -> hours): when the caller has read them;
    else read here. Two queries at most, none when all three are given."""
    if enrollment is None:
        enrollment = Enrollment.objects.filter(user=user, roadmap=roadmap).first()
    if enrollment is None:
        return {}
    if rows is None:
        rows = TopicProgress.objects.filter(user=user, topic__roadmap=roadmap).select_related(
            "topic"
        )
    done = [r for r in rows if r.status == TopicProgress.Status.DONE and r.done_at is not None]
    by_week: dict[int, list[TopicProgress]] = {}
    for row in done:
        day = _local_day(user, row)
        assert day is not None
        by_week.setdefault(week_number(start_date=enrollment.start_date, day=day), []).append(row)
    weeks = [w for w, rs in by_week.items() if any(r.hours_taken is None for r in rs)]
    if not weeks:
        return {}
    check_ins = (
        check_in_hours
        if check_in_hours is not None
        else dict(
            WeeklyCheckIn.objects.filter(user=user, roadmap=roadmap, week__in=weeks).values_list(
                "week", "hours"
            )
        )
    )
    derived: dict[int, float] = {}
    for week, week_rows in by_week.items():
        if week not in check_ins:
            continue
        reported = sum(r.hours_taken or 0 for r in week_rows)
        unanswered = [r for r in week_rows if r.hours_taken is None]
        if not unanswered:
            continue
        left = max(0, check_ins[week] - reported)
        weights = {r.topic_id: r.topic.est_hours or 1 for r in unanswered}
        total = sum(weights.values())
        for topic_id, weight in weights.items():
            derived[topic_id] = _tenth(Fraction(left * weight, total))
    return derived


def derived_hours(*, user: User, row: TopicProgress | None) -> float | None:
    """One done topic's derived time (None when it has an answer, is not done, or its week
    has no check-in)."""
    if row is None or row.status != TopicProgress.Status.DONE or row.hours_taken is not None:
        return None
    roadmap = row.topic.roadmap
    return derived_hours_by_topic(user=user, roadmap=roadmap).get(row.topic_id)


def derived_hours_for_rows(*, user: User, rows: Sequence[TopicProgress]) -> dict[int, float]:
    """`derived_hours_by_topic` over the rows of every roadmap among `rows` (their `topic`
    and its `roadmap` loaded): the export's."""
    derived: dict[int, float] = {}
    roadmaps = {row.topic.roadmap_id: row.topic.roadmap for row in rows}
    for roadmap_id, roadmap in roadmaps.items():
        mine = [row for row in rows if row.topic.roadmap_id == roadmap_id]
        derived.update(derived_hours_by_topic(user=user, roadmap=roadmap, rows=mine))
    return derived


def time_prompt(*, user: User, topic: Topic, row: TopicProgress | None) -> dict[str, Any]:
    """What the "how long did it take?" prompt shows (progress/_time_form.html)."""
    return time_prompt_of(topic=topic, row=row, derived=derived_hours(user=user, row=row))


def time_prompt_of(
    *, topic: Topic, row: TopicProgress | None, derived: float | None
) -> dict[str, Any]:
    """`time_prompt` with the derived time already worked out (the signed-in topic page's
    layer, roadmap_site/page_layer.py)."""
    return {
        "topic": topic,
        "row": row,
        "derived": derived,
        "time_choices": TIME_TAKEN_CHOICES,
        "time_limit": TIME_TAKEN,
    }
