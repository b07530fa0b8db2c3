"""Reads of a learner's progress, each in a fixed number of queries.

A lookup that finds nothing (or nothing the caller may see) raises
`roadmap_site.errors.NotFound`: the API answers it 404 and pages show the 404 page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.models import User
from apps.progress import effort, pace
from apps.progress.chart import Chart, week_chart
from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from apps.progress.pause import plan_today
from apps.progress.plan import Plan, PlanTopic, TopicState, build_plan, week_number
from apps.progress.services import local_today
from apps.roadmap import selectors as content
from apps.roadmap.models import PhaseGoal, Resource, Roadmap, Topic, TopicChange
from apps.roadmap.selectors import (
    MapNode,
    RoadmapMap,
    map_layout,
    map_topics,
    roadmap_map,
    topic_changes_since,
    topic_plan_order,
)
from roadmap_site.errors import NotFound
from roadmap_site.fingerprints import rows_fingerprint
from roadmap_site.limits import (
    DASHBOARD_PHASES,
    DASHBOARD_SECTIONS,
    DASHBOARD_WEEKS,
    ENROLMENT_START_KEPT,
)
from roadmap_site.prepared import CompiledQuery, run_together

COMPLETE = frozenset({TopicProgress.Status.DONE, TopicProgress.Status.SKIPPED})


# -- lookups (roadmaps and resources: apps.roadmap.selectors)


def topic_get(*, roadmap_slug: str, slug: str) -> Topic:
    """An active topic of the roadmap: a retired one takes no new progress (unlike
    `apps.roadmap.selectors.topic_get`, which finds retired ones too)."""
    topic = (
        Topic.objects.active()
        .select_related("roadmap")
        .filter(roadmap__slug=roadmap_slug, slug=slug)
        .first()
    )
    if topic is None:
        raise NotFound(f"No topic {slug!r} in the roadmap {roadmap_slug!r}.")
    return topic


def resource_of_roadmap(*, pk: int, roadmap_slug: str) -> Resource:
    """An approved resource of the roadmap (the one a page names): the only ones to tick."""
    resource = content.resource_get(pk=pk)
    if resource.roadmap.slug != roadmap_slug:
        raise NotFound("No resource of this roadmap has this id.")
    return resource


def _dates_readable(enrollment: Enrollment) -> Enrollment:
    """Read a stored start date outside `ENROLMENT_START_KEPT` (year 1, year 9999: rows written
    before the bounds) as today, and a plan anchor outside the plan's range as the start, so
    the plan, dashboard and calendar can be drawn. Only the instance changes; re-enrolling
    stores valid dates (`services.enrollment_save`)."""
    today = local_today(enrollment.user)
    if not ENROLMENT_START_KEPT.contains(enrollment.start_date, today=today):
        enrollment.start_date = today
    latest = ENROLMENT_START_KEPT.bounds(today)[1]
    if not enrollment.start_date <= enrollment.plan_anchor <= latest:
        enrollment.plan_anchor = enrollment.start_date
    return enrollment


def enrollments_query(*, user_id: int) -> QuerySet[Enrollment]:
    """The learner's enrolments with their roadmaps and goals, the most recently changed
    first (what `enrollments_of` reads; the dashboard's key reads it with fingerprints)."""
    return (
        Enrollment.objects.select_related("roadmap", "goal_project")
        .filter(user_id=user_id)
        .order_by("-updated_at", "-pk")
    )


# Read on every signed-in page (the header's "My plan"): compiled once (roadmap_site.prepared).
_ENROLLMENTS = CompiledQuery(enrollments_query, "user_id")


def enrollments_read(found: list[Enrollment], *, user: User) -> list[Enrollment]:
    """`enrollments_query`'s rows as every reader takes them: with their user, their dates
    readable."""
    for enrollment in found:
        enrollment.user = user
    return [_dates_readable(enrollment) for enrollment in found]


def enrollments_of(*, user: User) -> list[Enrollment]:
    """All the learner's enrolments, the most recently changed first (one query; the
    signed-in pages' layer takes "My plan" and the page's roadmap's from them)."""
    return enrollments_read(_ENROLLMENTS.run(user_id=user.pk), user=user)


def _progress_and_weeks_query(*, user_id: int, roadmap_id: int) -> QuerySet[Any]:
    rows = (
        TopicProgress.objects.filter(user_id=user_id, topic__roadmap_id=roadmap_id)
        .annotate(kind=Value(1, output_field=IntegerField()))
        .values_list("kind", "topic__slug", "status", "done_at", "revision_done")
        .order_by()  # no ORDER BY inside a UNION (SQLite refuses one)
    )
    weeks = (
        WeeklyCheckIn.objects.filter(user_id=user_id, roadmap_id=roadmap_id)
        .annotate(
            kind=Value(2, output_field=IntegerField()),
            no_slug=Value(""),
            no_status=Value(""),
            # Typed: a prepared statement's bare NULL would make the column text.
            no_date=Cast(Value(None), output_field=DateTimeField()),
        )
        .values_list("kind", "no_slug", "no_status", "no_date", "week")
        .order_by()
    )
    return rows.union(weeks, all=True)


# Read on every signed-in roadmap, phase and section page: compiled once.
_PROGRESS_AND_WEEKS = CompiledQuery(_progress_and_weeks_query, "user_id", "roadmap_id")


def progress_and_check_in_weeks(
    *, user: User, roadmap_id: int
) -> tuple[dict[str, TopicProgress], set[int]]:
    """The learner's progress rows in the roadmap by topic slug (status, done_at and
    revision_done only, without their topics) and the weeks they checked in: one query, a
    UNION of both."""
    return _progress_and_weeks(_PROGRESS_AND_WEEKS.run(user_id=user.pk, roadmap_id=roadmap_id))


def _progress_and_weeks(found: list[Any]) -> tuple[dict[str, TopicProgress], set[int]]:
    progress: dict[str, TopicProgress] = {}
    check_in_weeks: set[int] = set()
    for kind, slug, status, done_at, number in found:
        if kind == 2:
            check_in_weeks.add(number)
        else:
            progress[slug] = TopicProgress(status=status, done_at=done_at, revision_done=number)
    return progress, check_in_weeks


def enrollments_and_progress(
    *, user: User, roadmap_id: int
) -> tuple[list[Enrollment], dict[str, TopicProgress], set[int]]:
    """`enrollments_of` and `progress_and_check_in_weeks` together: two queries sent in one
    round trip (roadmap_site.prepared.run_together; the signed-in roadmap and section pages)."""
    found, rows = run_together(
        (_ENROLLMENTS, {"user_id": user.pk}),
        (_PROGRESS_AND_WEEKS, {"user_id": user.pk, "roadmap_id": roadmap_id}),
    )
    progress, weeks = _progress_and_weeks(rows)
    return enrollments_read(found, user=user), progress, weeks


def dashboard_fingerprints() -> dict[str, Subquery]:
    """Fingerprints of the learner's rows that an enrolment's dashboard shows, to annotate on
    `Enrollment` (roadmap_site/fingerprints.py). Every progress write bumps the row's
    `version`; the progress rows are all the learner's, whatever their roadmap: a row has no
    roadmap of its own, and joining the topics to keep this roadmap's read every topic (a
    change elsewhere only renders the page again). A check-in's week moves without its
    `updated_at` when the start date does (`_check_ins_keep_their_weeks`): the weeks are
    summed too."""
    return {
        "progress_fingerprint": rows_fingerprint(
            TopicProgress.objects.filter(user_id=OuterRef("user_id")),
            group="user_id",
            aggregates=[Count("id"), Max("id"), Sum("version"), Max("updated_at")],
        ),
        "check_ins_fingerprint": rows_fingerprint(
            WeeklyCheckIn.objects.filter(
                user_id=OuterRef("user_id"), roadmap_id=OuterRef("roadmap_id")
            ),
            group="user_id",
            aggregates=[Count("id"), Max("id"), Max("updated_at"), Sum("week"), Sum("hours")],
        ),
    }


def enrollment_get(*, user: User, roadmap: Roadmap) -> Enrollment | None:
    enrollment = (
        Enrollment.objects.select_related("roadmap", "goal_project", "user")
        .filter(user=user, roadmap=roadmap)
        .first()
    )
    return _dates_readable(enrollment) if enrollment else None


def latest_enrollment(*, user: User) -> Enrollment | None:
    """The learner's most recently changed enrolment (the header's "My plan")."""
    enrollment = (
        Enrollment.objects.select_related("roadmap", "user")
        .filter(user=user)
        .order_by("-updated_at", "-pk")
        .first()
    )
    return _dates_readable(enrollment) if enrollment else None


def enrollment_of(*, user: User, roadmap: Roadmap) -> Enrollment:
    """The caller's enrolment, which reads of the plan and check-ins need."""
    enrollment = enrollment_get(user=user, roadmap=roadmap)
    if enrollment is None:
        raise NotFound(
            f"You are not enrolled in {roadmap.slug!r}; enrol first.", code="not_enrolled"
        )
    return enrollment


def enrollment_by_calendar_token(*, token: str) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_related("user", "roadmap").filter(calendar_token=token).first()
    )
    if enrollment is None:
        raise NotFound("No calendar has this address; it may have been replaced.")
    return _dates_readable(enrollment)


def topic_progress_get(*, user: User, topic: Topic) -> TopicProgress | None:
    """The caller's row for the topic; None until they first write one."""
    return TopicProgress.objects.filter(user=user, topic=topic).first()


def statuses_by_topic_id(*, user: User, topic_ids: Iterable[int]) -> dict[int, str]:
    """The caller's status on each of these topics they have a row for, in one query (the
    search page's hits, whatever their roadmap)."""
    ids = set(topic_ids)
    if not ids:
        return {}
    rows = TopicProgress.objects.filter(user=user, topic_id__in=ids).values_list(
        "topic_id", "status"
    )
    return dict(rows)


def check_ins(*, user: User, roadmap: Roadmap) -> QuerySet[WeeklyCheckIn]:
    """The caller's check-ins on the roadmap, the latest week first."""
    return WeeklyCheckIn.objects.filter(user=user, roadmap=roadmap).order_by("-week")


def progress_by_topic(*, user: User, roadmap: Roadmap) -> dict[str, TopicProgress]:
    rows = TopicProgress.objects.filter(user=user, topic__roadmap=roadmap).select_related("topic")
    return {row.topic.slug: row for row in rows}


def plan_for(*, enrollment: Enrollment) -> Plan:
    """The enrolment's plan in the learner's time zone (2 queries)."""
    topics = Topic.objects.active().filter(roadmap=enrollment.roadmap).select_related("phase")
    progress = progress_by_topic(user=enrollment.user, roadmap=enrollment.roadmap)
    return _plan_of(enrollment, topics, progress)


@dataclass(frozen=True)
class _TopicFacts:
    """What a plan and a summary read of a list of active topics (with their phases and
    sections), the learner aside: worked out once per kept list (`_facts`)."""

    plan_topics: list[PlanTopic]  # in plan order (phase, then order)
    by_slug: dict[str, Topic]
    by_id: dict[int, Topic]
    # The slugs of each phase's and each section's topics, by number in order.
    by_phase: list[tuple[int, frozenset[str]]]
    by_section: list[tuple[int, frozenset[str]]]
    phase_titles: dict[int, str]
    section_titles: dict[int, str]
    estimates: dict[int, int | None]


def _facts(topics: Iterable[Topic], *, sections: bool = True) -> _TopicFacts:
    """The facts of `topics`: kept in the list's `memo` when it has one (a kept
    `roadmap_plan_topics`, roadmap_site/page_layer.plan_topics), else worked out here. Without
    `sections`, the sections are not read (the map's topics come with their phases only)."""
    memo: dict[str, Any] | None = getattr(topics, "memo", None)
    if memo is not None and sections and "facts" in memo:
        facts: _TopicFacts = memo["facts"]
        return facts
    listed = list(topics)
    by_phase: dict[int, list[str]] = {}
    by_section: dict[int, list[str]] = {}
    phase_titles: dict[int, str] = {}
    section_titles: dict[int, str] = {}
    plan_topics = []
    for t in listed:
        phase = t.phase
        if phase is not None:
            by_phase.setdefault(phase.number, []).append(t.slug)
            phase_titles[phase.number] = phase.title
        if sections:
            section = t.section
            by_section.setdefault(section.number, []).append(t.slug)
            section_titles[section.number] = section.title
        plan_topics.append(
            PlanTopic(t.slug, phase.number if phase else 0, t.order, t.est_hours or 1)
        )
    plan_topics.sort(key=lambda p: (p.phase, p.order))
    facts = _TopicFacts(
        plan_topics=plan_topics,
        by_slug={t.slug: t for t in listed},
        by_id={t.pk: t for t in listed},
        by_phase=[(number, frozenset(slugs)) for number, slugs in sorted(by_phase.items())],
        by_section=[(number, frozenset(slugs)) for number, slugs in sorted(by_section.items())],
        phase_titles=phase_titles,
        section_titles=section_titles,
        estimates={t.pk: t.est_hours for t in listed},
    )
    if memo is not None and sections:
        memo["facts"] = facts
    return facts


def _plan_of(
    enrollment: Enrollment, topics: Iterable[Topic], progress: Mapping[str, TopicProgress]
) -> Plan:
    """The plan of these active topics (with their phases) and progress rows (no query)."""
    zone = enrollment.user.zone
    memo: dict[str, Any] | None = getattr(topics, "memo", None)
    plan_topics = _facts(topics, sections=memo is not None).plan_topics
    states = {
        slug: TopicState(
            row.status, timezone.localtime(row.done_at, zone).date() if row.done_at else None
        )
        for slug, row in progress.items()
    }
    return build_plan(
        topics=plan_topics,
        progress=states,
        hours_per_week=enrollment.hours_per_week,
        start_date=enrollment.start_date,
        plan_anchor=enrollment.plan_anchor,
        today=plan_today(enrollment),  # stands still while the plan is paused
    )


def topic_neighbours(*, topic: Topic) -> tuple[Topic | None, Topic | None]:
    """The active topics just before and after `topic` in plan order: phase number (a topic
    without a phase comes after every phase, as Postgres sorts a NULL), then topic order, then
    id. Two queries, each reading one row, whatever the roadmap's size. A retired topic has
    no neighbours (it is not in the plan)."""
    if topic.retired_at is not None:
        return None, None
    phase_number = topic.phase.number if topic.phase is not None else None
    same_phase = Q(phase__isnull=True) if phase_number is None else Q(phase__number=phase_number)
    before_here = Q(order__lt=topic.order) | Q(order=topic.order, pk__lt=topic.pk)
    after_here = Q(order__gt=topic.order) | Q(order=topic.order, pk__gt=topic.pk)
    if phase_number is None:
        earlier = Q(phase__isnull=False) | (same_phase & before_here)
        later = same_phase & after_here
    else:
        earlier = Q(phase__number__lt=phase_number) | (same_phase & before_here)
        later = (
            Q(phase__number__gt=phase_number) | Q(phase__isnull=True) | (same_phase & after_here)
        )
    candidates = (
        Topic.objects.active()
        .filter(roadmap_id=topic.roadmap_id)
        .select_related("roadmap")
        .only("slug", "title", "roadmap__slug")
    )
    number = F("phase__number")
    previous = (
        candidates.filter(earlier).order_by(number.desc(nulls_first=True), "-order", "-pk").first()
    )
    following = (
        candidates.filter(later).order_by(number.asc(nulls_last=True), "order", "pk").first()
    )
    return previous, following


def next_topic(*, enrollment: Enrollment) -> Topic | None:
    """The first topic in plan order that is neither done nor skipped: where to continue."""
    plan = plan_for(enrollment=enrollment)
    statuses = {
        slug: row.status
        for slug, row in progress_by_topic(user=enrollment.user, roadmap=enrollment.roadmap).items()
    }
    for week in plan.weeks:
        for slug in week.hours_by_topic:
            if statuses.get(slug) not in COMPLETE:
                return (
                    Topic.objects.active()
                    .select_related("roadmap")
                    .filter(roadmap=enrollment.roadmap, slug=slug)
                    .first()
                )
    return None


@dataclass
class LearnerState:
    """What the home page and the roadmap page's banner show an enrolled learner."""

    summary: ProgressSummary
    week: int
    next_topic: Topic | None


def learner_state(*, enrollment: Enrollment) -> LearnerState:
    """The summary (percentages, streak), this week's number and the topic to continue with,
    in one pass: the active topics, the progress rows and the check-in weeks are read once
    each (3 queries; `progress_summary` and `next_topic` separately read them again)."""
    roadmap, user = enrollment.roadmap, enrollment.user
    topics = list(
        Topic.objects.active().filter(roadmap=roadmap).select_related("roadmap", "phase", "section")
    )
    progress = progress_by_topic(user=user, roadmap=roadmap)
    weeks = set(
        WeeklyCheckIn.objects.filter(user=user, roadmap=roadmap).values_list("week", flat=True)
    )
    return learner_state_of(enrollment=enrollment, topics=topics, progress=progress, weeks=weeks)


def learner_state_of(
    *,
    enrollment: Enrollment,
    topics: list[Topic],
    progress: Mapping[str, TopicProgress],
    weeks: set[int],
) -> LearnerState:
    """`learner_state` of these active topics (with phase and section), progress rows by
    slug and check-in weeks, already read (no query)."""
    user = enrollment.user
    this_week = week_number(start_date=enrollment.start_date, day=local_today(user))
    summary = _summary_of(topics, progress, streak=_streak_of(weeks, this_week=this_week))
    plan = _plan_of(enrollment, topics, progress)
    by_slug = {t.slug: t for t in topics}
    following = next(
        (
            by_slug[slug]
            for week in plan.weeks
            for slug in week.hours_by_topic
            if summary.topics.get(slug) not in COMPLETE and slug in by_slug
        ),
        None,
    )
    return LearnerState(summary=summary, week=this_week, next_topic=following)


@dataclass
class ProgressSummary:
    percent_complete: int
    phases: list[tuple[int, int]]  # (number, percent)
    sections: list[tuple[int, int]]
    topics: dict[str, str]  # slug -> status
    streak: int


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def progress_summary(*, user: User, roadmap: Roadmap) -> ProgressSummary:
    """Percent complete (done or skipped) for the roadmap, each phase and each section."""
    topics = list(Topic.objects.active().filter(roadmap=roadmap).select_related("phase", "section"))
    progress = progress_by_topic(user=user, roadmap=roadmap)
    return _summary_of(topics, progress, streak=check_in_streak(user=user, roadmap=roadmap))


def _summary_of(
    topics: list[Topic], progress: Mapping[str, TopicProgress], *, streak: int
) -> ProgressSummary:
    """The summary of these active topics (with phases and sections) and rows (no query)."""
    facts = _facts(topics)
    status_of: dict[str, str] = dict.fromkeys(facts.by_slug, TopicProgress.Status.NOT_STARTED)
    for slug, row in progress.items():
        if slug in status_of:
            status_of[slug] = row.status
    done = {slug for slug, status in status_of.items() if status in COMPLETE}

    def percent_by(groups: list[tuple[int, frozenset[str]]]) -> list[tuple[int, int]]:
        return [(number, _percent(len(done & slugs), len(slugs))) for number, slugs in groups]

    return ProgressSummary(
        percent_complete=_percent(len(done), len(status_of)),
        phases=percent_by(facts.by_phase),
        sections=percent_by(facts.by_section),
        topics=status_of,
        streak=streak,
    )


def check_in_streak(*, user: User, roadmap: Roadmap) -> int:
    """Consecutive weeks with a check-in, up to this week (or last week, if this week has
    none yet: the week is not over)."""
    enrollment = Enrollment.objects.filter(user=user, roadmap=roadmap).first()
    if enrollment is None:
        return 0
    weeks = set(
        WeeklyCheckIn.objects.filter(user=user, roadmap=roadmap).values_list("week", flat=True)
    )
    return _streak_of(
        weeks, this_week=week_number(start_date=enrollment.start_date, day=local_today(user))
    )


def _streak_of(weeks: set[int], *, this_week: int) -> int:
    week = this_week if this_week in weeks else this_week - 1
    streak = 0
    while week in weeks:
        streak += 1
        week -= 1
    return streak


def progress_rows_for_export(*, user: User) -> QuerySet[TopicProgress]:
    return (
        TopicProgress.objects.filter(user=user)
        .select_related("topic__roadmap")
        .order_by("topic__roadmap__slug", "topic__order")
    )


def export_section(user: User) -> dict:
    """The learner's own progress data for the personal export (registered in apps.py)."""
    rows = list(progress_rows_for_export(user=user))
    derived = effort.derived_hours_for_rows(user=user, rows=rows)
    return {
        "enrollments": [
            {
                "roadmap": e.roadmap.slug,
                "start_date": e.start_date.isoformat(),
                "hours_per_week": e.hours_per_week,
                "background": e.background,
                "goal_project": e.goal_project.slug if e.goal_project else None,
                "plan_anchor": e.plan_anchor.isoformat(),
                "paused_on": e.paused_on.isoformat() if e.paused_on else None,
            }
            for e in Enrollment.objects.filter(user=user).select_related("roadmap", "goal_project")
        ],
        "topics": [
            {
                "roadmap": row.topic.roadmap.slug,
                "topic": row.topic.slug,
                "status": row.status,
                "auto_skipped": row.auto_skipped,
                "done_at": row.done_at.isoformat() if row.done_at else None,
                "hours_taken": row.hours_taken,
                "hours_derived": derived.get(row.topic_id),
                "note": row.note_md,
                "updated_at": row.updated_at.isoformat(),
            }
            for row in rows
        ],
        "ticks": [
            {
                "resource": t.resource_id,
                "url": t.resource.url,
                "ticked_at": t.created_at.isoformat(),
            }
            for t in user.resource_ticks.select_related("resource").order_by("created_at")
        ],
        "check_ins": [
            {
                "roadmap": c.roadmap.slug,
                "week": c.week,
                "hours": c.hours,
                "note": c.note_md,
            }
            for c in WeeklyCheckIn.objects.filter(user=user)
            .select_related("roadmap")
            .order_by("roadmap__slug", "week")
        ],
    }


@dataclass
class WeekRow:
    number: int
    planned_hours: int
    checked_in_hours: int | None
    topics_done: int = 0


@dataclass
class PercentRow:
    id: str
    label: str
    percent: int


@dataclass
class PlannedTopic:
    """A topic as the dashboard lists it: `hours` planned for it this week (all of its hours in
    "Up next"), out of `total_hours`, over weeks `first_week` to `last_week`."""

    topic: Topic
    hours: int
    total_hours: int
    first_week: int
    last_week: int

    @property
    def spans_weeks(self) -> bool:
        return self.first_week != self.last_week


def _planned_topics(
    plan: Plan,
    slugs: list[str],
    topics: dict[str, Topic],
    *,
    whole: bool,
    totals: Mapping[str, int],
) -> list[PlannedTopic]:
    """`slugs` of the plan as dashboard entries, with this week's hours unless `whole`
    (`totals`: each topic's hours over the plan)."""
    week = next((w for w in plan.weeks if w.number == plan.current_week), None)
    entries: list[PlannedTopic] = []
    for slug in slugs:
        span = plan.weeks_of(slug)
        if slug not in topics or span is None:
            continue
        hours = totals[slug] if whole or week is None else week.hours_by_topic.get(slug, 0)
        entries.append(PlannedTopic(topics[slug], hours, totals[slug], *span))
    return entries


@dataclass
class Dashboard:
    enrollment: Enrollment
    plan: Plan
    summary: ProgressSummary
    total_weeks: int
    this_week: list[PlannedTopic]
    up_next: list[PlannedTopic]
    goals: list
    progress: dict[str, TopicProgress]
    check_in: WeeklyCheckIn | None
    weeks: list[WeekRow]
    ahead_by_weeks: int
    phase_rows: list[PercentRow]
    section_rows: list[PercentRow]
    retired_progress: list[TopicProgress]
    chart: Chart
    pace: pace.Pace
    # How many there are: the rows above are a window of at most limits.DASHBOARD_* of them
    # around this week's phase, section and week; the template says so when cut.
    phases_total: int = 0
    sections_total: int = 0
    weeks_total: int = 0


def _window(count: int, focus: int, size: int) -> range:
    """The indexes of at most `size` of `count` items around index `focus` (a quarter of the
    window before it, so what is next shows more than what is past), inside 0 to count."""
    start = max(0, min(focus - size // 4, count - size))
    return range(start, min(count, start + size))


def _index_of(numbers: list[int], number: int | None) -> int:
    return numbers.index(number) if number in numbers else 0


def _rows_with_topics(
    *, user: User, roadmap: Roadmap, topics: Mapping[int, Topic]
) -> dict[str, TopicProgress]:
    """The learner's progress rows on the roadmap by topic slug, each with its topic taken from
    `topics` (the active ones by id, already read) instead of joined again; a retired topic is
    read for its row (one query, only when the learner has a row on one)."""
    by_id = topics
    rows = list(TopicProgress.objects.filter(user=user, topic__roadmap=roadmap))
    retired = {row.topic_id for row in rows if row.topic_id not in by_id}
    if retired:
        read = list(Topic.objects.filter(pk__in=retired))
        for topic in read:
            topic.roadmap = roadmap
        by_id = {**topics, **{t.pk: t for t in read}}
    for row in rows:
        row.topic = by_id[row.topic_id]
    return {row.topic.slug: row for row in rows}


def _dashboard_topics(roadmap: Roadmap) -> list[Topic]:
    """The roadmap's plan topics as `roadmap_plan_topics` reads them, each with `roadmap`."""
    topic_list = content.roadmap_plan_topics(roadmap_id=roadmap.pk)
    for topic in topic_list:
        topic.roadmap = roadmap  # the enrolment's: not read again for each topic
    return topic_list


def dashboard(*, enrollment: Enrollment, topics: list[Topic] | None = None) -> Dashboard:
    """Everything the dashboard shows, in one pass: the active topics (given: the roadmap's
    plan topics, kept per content version, roadmap_site/page_layer.plan_topics; else read
    here), the learner's progress rows and check-ins are read once each (and this week's phase
    goals), and the plan, the summary, the streak, the weeks, the chart and the lists are
    derived from them in memory (3 queries with the topics given, 4 without; one more with
    goals, one more when the learner has a row on a retired topic; the enrolment is the
    caller's). Given topics are shared: nothing here changes them."""
    roadmap = enrollment.roadmap
    topic_list = topics if topics is not None else _dashboard_topics(roadmap)
    facts = _facts(topic_list)
    by_slug = facts.by_slug
    progress = _rows_with_topics(user=enrollment.user, roadmap=roadmap, topics=facts.by_id)
    check_ins = {
        c.week: c for c in WeeklyCheckIn.objects.filter(user=enrollment.user, roadmap=roadmap)
    }
    plan = _plan_of(enrollment, topic_list, progress)
    summary = _summary_of(
        topic_list,
        progress,
        streak=_streak_of(
            set(check_ins),
            this_week=week_number(
                start_date=enrollment.start_date, day=local_today(enrollment.user)
            ),
        ),
    )
    week = next((w for w in plan.weeks if w.number == plan.current_week), None)
    goals = (
        list(
            PhaseGoal.objects.filter(phase__roadmap=roadmap, phase__number=week.phase)
            .order_by("order")
            .prefetch_related("topics")
        )
        if week
        else []
    )
    planned = {w.number: w.hours for w in plan.weeks}
    zone = enrollment.user.zone
    done_weeks = Counter(
        week_number(
            start_date=enrollment.start_date, day=timezone.localtime(row.done_at, zone).date()
        )
        for row in progress.values()
        if row.done_at
    )
    last = max([*planned, plan.current_week, *check_ins, 1])
    rows = [
        WeekRow(n, planned.get(n, 0), check_ins[n].hours if n in check_ins else None, done_weeks[n])
        for n in (i + 1 for i in _window(last, plan.current_week - 1, DASHBOARD_WEEKS))
    ]
    retired = [row for row in progress.values() if row.topic.retired_at is not None]
    # A topic that continues into this week is this week's work too: count every week a topic
    # has hours in, not only the week it starts in.
    unfinished = [
        w.number
        for w in plan.weeks
        for slug in w.hours_by_topic
        if summary.topics.get(slug) not in COMPLETE
    ]
    ahead = max(0, min(unfinished) - plan.current_week) if unfinished else 0
    phase_titles = facts.phase_titles
    section_titles = facts.section_titles
    totals: Counter[str] = Counter()
    for planned_week in plan.weeks:
        for slug, hours in planned_week.hours_by_topic.items():
            totals[slug] += hours
    # The bars shown: around this week's phase, and the section of this week's first topic.
    this_week_slugs = list(week.hours_by_topic) if week else []
    first = by_slug.get(this_week_slugs[0]) if this_week_slugs else None
    phase_numbers = [n for n, _ in summary.phases]
    section_numbers = [n for n, _ in summary.sections]
    phases_shown = _window(
        len(phase_numbers),
        _index_of(phase_numbers, week.phase if week else None),
        DASHBOARD_PHASES,
    )
    sections_shown = _window(
        len(section_numbers),
        _index_of(section_numbers, first.section.number if first else None),
        DASHBOARD_SECTIONS,
    )
    return Dashboard(
        enrollment=enrollment,
        plan=plan,
        summary=summary,
        total_weeks=plan.weeks[-1].number if plan.weeks else plan.current_week,
        this_week=_planned_topics(
            plan, list(week.hours_by_topic) if week else [], by_slug, whole=False, totals=totals
        ),
        up_next=_planned_topics(
            plan,
            plan.up_next({slug for slug, status in summary.topics.items() if status in COMPLETE}),
            by_slug,
            whole=True,
            totals=totals,
        ),
        goals=goals,
        progress=progress,
        retired_progress=retired,
        chart=week_chart(rows, budget=enrollment.hours_per_week),
        check_in=check_ins.get(plan.current_week),
        weeks=rows,
        ahead_by_weeks=ahead,
        phase_rows=[
            PercentRow(f"phase-{n}", f"Phase {n}: {phase_titles.get(n, '')}", p)
            for n, p in (summary.phases[i] for i in phases_shown)
        ],
        section_rows=[
            PercentRow(f"section-{n}", f"{n}. {section_titles.get(n, '')}", p)
            for n, p in (summary.sections[i] for i in sections_shown)
        ],
        phases_total=len(phase_numbers),
        sections_total=len(section_numbers),
        weeks_total=last,
        # From what this pass has read: no query of its own.
        pace=pace.pace_for(
            enrollment=enrollment,
            today=local_today(enrollment.user),
            read=pace.Read(
                rows=list(progress.values()),
                estimates=facts.estimates,
                check_in_hours={week: c.hours for week, c in check_ins.items()},
            ),
        ),
    )


# -- the roadmap page's map, for its reader


def roadmap_map_for(*, user: User | None, roadmap: Roadmap) -> RoadmapMap | None:
    """The map of a `roadmap_page` as this reader sees it (2 queries when signed in, none
    otherwise; None when it has too many topics to draw). Anyone else: the reference weeks,
    no statuses. Signed in: their statuses on the reference weeks. Enrolled: the weeks of their
    own plan, their statuses, and overdue for an unfinished topic whose last planned week is
    over; topics outside the plan (skipped, or done before it starts) are gathered in a first
    column."""
    if user is None:
        return roadmap_map(roadmap=roadmap)
    enrollment = enrollment_get(user=user, roadmap=roadmap)
    progress = progress_by_topic(user=user, roadmap=roadmap)
    return roadmap_map_of(roadmap=roadmap, enrollment=enrollment, progress=progress)


def roadmap_map_of(
    *,
    roadmap: Roadmap,
    enrollment: Enrollment | None,
    progress: Mapping[str, TopicProgress],
) -> RoadmapMap | None:
    """`roadmap_map_for` of a signed-in reader from their enrolment (or None) and progress
    rows by topic slug, already read (no query; the signed-in pages' layer,
    roadmap_site/page_layer.py)."""
    if enrollment is None:
        anyone = roadmap_map(roadmap=roadmap)
        if anyone is None:
            return None
        for node in anyone.nodes:
            _set_status(node, progress.get(node.topic.slug))
        anyone.personal = True
        return anyone
    topics = map_topics(roadmap=roadmap)
    if topics is None:
        return None
    plan = _plan_of(enrollment, topics, progress)
    hours_by_week: dict[str, list[tuple[int, int]]] = {}
    for week in plan.weeks:
        for slug, hours in week.hours_by_topic.items():
            hours_by_week.setdefault(slug, []).append((week.number, hours))
    nodes = []
    for topic in topics:
        node = MapNode(topic, topic.est_hours or 0)
        _set_status(node, progress.get(topic.slug))
        last_week = hours_by_week[topic.slug][-1][0] if topic.slug in hours_by_week else None
        node.overdue = (
            node.status not in COMPLETE and last_week is not None and last_week < plan.current_week
        )
        nodes.append(node)
    return map_layout(
        roadmap=roadmap,
        nodes=nodes,
        hours_by_week=hours_by_week,
        unplaced_label="Done earlier or skipped",
        current_week=plan.current_week,
        planned=True,
    )


def _set_status(node: MapNode, row: TopicProgress | None) -> None:
    status = TopicProgress.Status(row.status if row else TopicProgress.Status.NOT_STARTED)
    node.status, node.status_label = status.value, str(status.label)
    node.updated = row is not None and updated_since_done(row=row, topic=node.topic)


def changes_since_done(*, row: TopicProgress | None, topic: Topic) -> list[TopicChange]:
    """ "Updated since you finished": the changes after the revision the learner finished or
    last dismissed (one query, only when there are some; the map's marker needs none)."""
    if row is None or not updated_since_done(row=row, topic=topic):
        return []
    return topic_changes_since(topic=topic, revision=row.revision_done)


def updated_since_done(*, row: TopicProgress | None, topic: Topic) -> bool:
    """The learner finished the topic and it changed since (no query: the revisions only)."""
    return (
        row is not None
        and row.status == TopicProgress.Status.DONE
        and row.revision_done < topic.revision
    )


def next_topic_after(*, user: User, topic: Topic) -> Topic | None:
    """The topic to study after `topic`: the next one in plan order (phase, then topic order)
    that the learner has neither done nor skipped; None when there is none (2 queries)."""
    complete = set(
        TopicProgress.objects.filter(
            user=user, topic__roadmap_id=topic.roadmap_id, status__in=COMPLETE
        ).values_list("topic_id", flat=True)
    )
    topics = Topic.objects.active().filter(roadmap_id=topic.roadmap_id)
    ordered = sorted(topics.select_related("roadmap", "phase"), key=topic_plan_order)
    place = next((i for i, t in enumerate(ordered) if t.pk == topic.pk), -1)
    return next((t for t in ordered[place + 1 :] if t.pk not in complete), None)
