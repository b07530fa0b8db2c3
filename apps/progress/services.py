"""Writes to a learner's own data. Each function is one use case, in one transaction.

Refusals are `roadmap_site.errors`: `Invalid` (400, by field) for input that breaks a rule,
`Stale` (412, with the current state) for a write against an out-of-date version. Either way
nothing is written. The limits are `roadmap_site.limits`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.progress import effort, pace
from apps.progress.backgrounds import skipped_by_background
from apps.progress.models import (
    Enrollment,
    ResourceTick,
    TopicProgress,
    WeeklyCheckIn,
    new_calendar_token,
)
from apps.progress.plan import week_number, week_starts_on
from apps.roadmap.models import Project, Resource, Roadmap, Topic
from apps.roadmap.schedule import REFERENCE_HOURS_PER_WEEK
from apps.roadmap.services import community_touch
from roadmap_site.errors import Conflict, Invalid, Stale
from roadmap_site.limits import (
    CHECK_IN_HOURS,
    CHECK_IN_WEEK,
    ENROLMENT_START,
    ENROLMENT_START_KEPT,
    HOURS_PER_WEEK,
    PROGRESS_NOTE,
    PROGRESS_VERSION,
    TIME_TAKEN,
    TOPIC_REVISION,
)


def local_today(user: User) -> date:
    return timezone.localtime(timezone.now(), user.zone).date()


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(errors)


def _choice_message(what: str, values: list[str]) -> str:
    return f"{what} must be one of: " + ", ".join(values) + "."


def enrollment_put(
    *,
    user: User,
    roadmap: Roadmap,
    start_date: date | None = None,
    hours_per_week: int = REFERENCE_HOURS_PER_WEEK,
    background: str = Enrollment.Background.NEW_TO_ML,
    goal_project: Project | None = None,
) -> Enrollment:
    """Enrol, or re-enrol with new settings (`enrollment_save`, without the "created")."""
    enrollment, _ = enrollment_save(
        user=user,
        roadmap=roadmap,
        start_date=start_date,
        hours_per_week=hours_per_week,
        background=background,
        goal_project=goal_project,
    )
    return enrollment


@transaction.atomic
def enrollment_save(
    *,
    user: User,
    roadmap: Roadmap,
    start_date: date | None = None,
    hours_per_week: int = REFERENCE_HOURS_PER_WEEK,
    background: str = Enrollment.Background.NEW_TO_ML,
    goal_project: Project | None = None,
) -> tuple[Enrollment, bool]:
    """Enrol, or re-enrol with new settings; True when this call created the enrolment.
    Progress is always kept.

    A new start date lies within `ENROLMENT_START` of today; an enrolment's own start date is
    accepted again while it is within `ENROLMENT_START_KEPT` (re-enrolling with new hours a
    year later keeps it). A stored date outside that, or a plan anchor no plan can be drawn
    from (rows written before the bounds), is replaced by this call.
    """
    today = local_today(user)
    errors: dict[str, list[str]] = {}
    if message := HOURS_PER_WEEK.check(hours_per_week):
        errors["hours_per_week"] = [message]
    if background not in Enrollment.Background.values:
        errors["background"] = [_choice_message("Background", Enrollment.Background.values)]
    if goal_project is not None and goal_project.roadmap_id != roadmap.id:
        errors["goal_project"] = ["That project belongs to another roadmap."]
    # Lock the learner's row first: parallel first enrolments queue up here instead of racing
    # to insert (the unique constraint would turn the losers into errors).
    User.objects.select_for_update().filter(pk=user.pk).first()
    enrollment = Enrollment.objects.select_for_update().filter(user=user, roadmap=roadmap).first()
    kept = (
        enrollment is not None
        and start_date == enrollment.start_date
        and ENROLMENT_START_KEPT.contains(start_date, today=today)
    )
    if start_date is not None and not kept and ENROLMENT_START.check(start_date, today=today):
        errors["start_date"] = ["Choose a start date within a year of today."]
    _raise_if(errors)
    start = start_date or today
    created = enrollment is None
    previous_background = enrollment.background if enrollment else None
    if enrollment is None:
        enrollment = Enrollment(user=user, roadmap=roadmap, plan_anchor=start)
    elif (enrollment.start_date, enrollment.hours_per_week) != (start, hours_per_week):
        # A new start date or pace re-plans what is not done from today; check-ins keep the
        # calendar weeks they were made in.
        _check_ins_keep_their_weeks(enrollment=enrollment, start_date=start, today=today)
        enrollment.plan_anchor = max(today, start)
    if not start <= enrollment.plan_anchor <= ENROLMENT_START_KEPT.bounds(today)[1]:
        enrollment.plan_anchor = start
    enrollment.start_date = start
    enrollment.hours_per_week = hours_per_week
    enrollment.background = background
    enrollment.goal_project = goal_project
    enrollment.updated_at = timezone.now()
    enrollment.save()
    if previous_background != background:
        _apply_background(user=user, roadmap=roadmap, background=background)
    return enrollment, created


def _check_ins_keep_their_weeks(*, enrollment: Enrollment, start_date: date, today: date) -> None:
    """Renumber the enrolment's check-ins for a new start date, so that each stays in the
    calendar week it was made in (week numbers count from the start date's week). A start
    date after a week with a check-in would leave that check-in before week 1: refused with
    `Invalid`, writing nothing. A stored start date outside `ENROLMENT_START_KEPT` was read as
    today (`selectors._dates_readable`), so its check-ins count from today."""
    previous = enrollment.start_date
    if not ENROLMENT_START_KEPT.contains(previous, today=today):
        previous = today
    shift = week_number(start_date=start_date, day=previous) - 1
    if shift == 0:
        return
    rows = list(
        WeeklyCheckIn.objects.select_for_update()
        .filter(user=enrollment.user, roadmap=enrollment.roadmap)
        .order_by("-week" if shift > 0 else "week")
    )
    if rows and not all(CHECK_IN_WEEK.min <= row.week + shift <= CHECK_IN_WEEK.max for row in rows):
        first = week_starts_on(start_date=previous, number=min(r.week for r in rows))
        raise Invalid(
            {
                "start_date": [
                    f"You checked in for the week of {first:%-d %B %Y}; choose a start date "
                    "in that week or before it."
                ]
            }
        )
    # One row at a time, in the order that never puts two check-ins on one week number.
    for row in rows:
        row.week += shift
        row.save(update_fields=["week"])


def _apply_background(*, user: User, roadmap: Roadmap, background: str) -> None:
    """Pre-mark what the background knows; undo earlier automatic skips it does not cover.

    Only rows the learner never touched change: a topic with their own status or note stays.
    """
    wanted = skipped_by_background(roadmap_slug=roadmap.slug, background=background)
    topics = {t.slug: t for t in Topic.objects.active().filter(roadmap=roadmap)}
    rows = {
        p.topic.slug: p
        for p in TopicProgress.objects.select_for_update()
        .filter(user=user, topic__roadmap=roadmap)
        .select_related("topic")
    }
    now = timezone.now()
    for slug, row in rows.items():
        if row.auto_skipped and slug not in wanted:
            row.status, row.auto_skipped = TopicProgress.Status.NOT_STARTED, False
            row.version += 1
            row.updated_at = now
            row.save(update_fields=["status", "auto_skipped", "version", "updated_at"])
    for slug in sorted(wanted & topics.keys()):
        existing = rows.get(slug)
        if existing is None:
            TopicProgress.objects.create(
                user=user,
                topic=topics[slug],
                status=TopicProgress.Status.SKIPPED,
                auto_skipped=True,
                updated_at=now,
            )
        elif existing.status == TopicProgress.Status.NOT_STARTED and not existing.note_md:
            existing.status, existing.auto_skipped = TopicProgress.Status.SKIPPED, True
            existing.version += 1
            existing.updated_at = now
            existing.save(update_fields=["status", "auto_skipped", "version", "updated_at"])


@transaction.atomic
def plan_replan(*, enrollment: Enrollment) -> Enrollment:
    """Lay the remaining topics out again from this week."""
    enrollment.plan_anchor = max(local_today(enrollment.user), enrollment.start_date)
    enrollment.updated_at = timezone.now()
    enrollment.save(update_fields=["plan_anchor", "updated_at"])
    return enrollment


@transaction.atomic
def plan_at_my_pace(*, enrollment: Enrollment) -> Enrollment:
    """Re-plan what is left at the learner's own pace (`apps.progress.pace`): the plan's hours
    a week become their weekly check-in hours over their speed, within `HOURS_PER_WEEK`, laid
    out from this week as any change of pace is (`enrollment_save`). Refused with `Invalid`
    when the pace is not known yet or the plan is at it already."""
    today = local_today(enrollment.user)
    hours = pace.pace_for(enrollment=enrollment, today=today).plan_hours_per_week
    if hours is None:
        raise Invalid(
            {
                "hours_per_week": [
                    f"Your pace needs {pace.PACE_MIN_DONE} done topics with a time and a recent "
                    "check-in, and your plan must not be at it already."
                ]
            }
        )
    return enrollment_put(
        user=enrollment.user,
        roadmap=enrollment.roadmap,
        start_date=enrollment.start_date,
        hours_per_week=hours,
        background=enrollment.background,
        goal_project=enrollment.goal_project,
    )


@transaction.atomic
def topic_progress_put(
    *,
    user: User,
    topic: Topic,
    status: str,
    note_md: str | None = None,
    if_match: int | None = None,
    hours_taken: int | None = None,
) -> TopicProgress:
    """Set a topic's status (and note, and how long it took). A stale `if_match` raises
    `Stale` with the current state (`topic_progress_state`), writing nothing.

    `hours_taken` is the learner's answer to "about how long did it take?", only with "done";
    None keeps an earlier answer. A status other than done drops the answer.
    The same write twice leaves one row and one version: writes are idempotent.
    """
    errors: dict[str, list[str]] = {}
    if status not in TopicProgress.Status.values:
        errors["status"] = [_choice_message("Status", TopicProgress.Status.values)]
    if hours_taken is not None:
        if message := TIME_TAKEN.check(hours_taken):
            errors["hours_taken"] = [message]
        elif status != TopicProgress.Status.DONE:
            errors["hours_taken"] = ["Say how long a topic took when you mark it done."]
    if note_md is not None and (message := PROGRESS_NOTE.check(note_md)):
        errors["note"] = [message]
    if if_match is not None and (message := PROGRESS_VERSION.check(if_match)):
        errors["version"] = [message]
    _raise_if(errors)
    # Lock the learner's row first: concurrent first writes of one topic queue up here instead
    # of racing to insert (the unique constraint would turn the loser into an error).
    User.objects.select_for_update().filter(pk=user.pk).first()
    row = TopicProgress.objects.select_for_update().filter(user=user, topic=topic).first()
    current_version = row.version if row else 0
    if if_match is not None and if_match != current_version:
        raise Stale(
            "This progress changed since you read it; nothing was written.",
            **topic_progress_state(topic=topic, row=row),
        )
    if row is None:
        row = TopicProgress(user=user, topic=topic)
    note = row.note_md if note_md is None else note_md
    taken = None if status != TopicProgress.Status.DONE else (hours_taken or row.hours_taken)
    if (
        row.pk
        and (row.status, row.note_md, row.hours_taken) == (status, note, taken)
        and not row.auto_skipped
    ):
        return row
    if row.hours_taken != taken:
        effort_touch()
    row.hours_taken = taken
    _stamp_done(row, status=status, topic=topic)
    if row.note_md != note:
        row.note_version += 1
    row.status, row.note_md, row.auto_skipped = status, note, False
    row.version = current_version + 1
    row.updated_at = timezone.now()
    row.save()
    return row


def effort_touch() -> None:
    """A learner's answer to "how long did it take?" came, changed or went: the learners'
    effort figures on the topic page and the map (effort.effort_for_topic, read on render)
    move, so the pages that show them must render again. Call in the writing transaction."""
    community_touch()


def progress_of_user_forget(user: User) -> None:
    """Account deletion: the learner's answers leave the effort figures with their rows
    (a cascade); the pages showing the figures render again."""
    if TopicProgress.objects.filter(user=user, hours_taken__isnull=False).exists():
        effort_touch()


def _stamp_done(row: TopicProgress, *, status: str, topic: Topic) -> None:
    """When the row becomes done: the time, and the topic's revision it was finished at (later
    changes are "updated since you finished"); no longer done: no time."""
    if status != TopicProgress.Status.DONE:
        row.done_at = None
    elif row.status != TopicProgress.Status.DONE:
        row.done_at = timezone.now()
        row.revision_done = Topic.objects.values_list("revision", flat=True).get(pk=topic.pk)


@transaction.atomic
def topic_time_put(*, user: User, topic: Topic, hours_taken: int | None) -> TopicProgress:
    """Say (or correct, or withdraw with None) how long a done topic took. Refused with
    `Invalid` on `hours_taken` for a topic that is not done or hours outside `TIME_TAKEN`."""
    if hours_taken is not None and (message := TIME_TAKEN.check(hours_taken)):
        raise Invalid({"hours_taken": [message]})
    User.objects.select_for_update().filter(pk=user.pk).first()
    row = TopicProgress.objects.select_for_update().filter(user=user, topic=topic).first()
    if row is None or row.status != TopicProgress.Status.DONE:
        raise Invalid({"hours_taken": ["Mark the topic done first, then say how long it took."]})
    if row.hours_taken == hours_taken:
        return row
    row.hours_taken = hours_taken
    row.version += 1
    row.updated_at = timezone.now()
    row.save(update_fields=["hours_taken", "version", "updated_at"])
    effort_touch()
    return row


@transaction.atomic
def topic_note_put(
    *, user: User, topic: Topic, note_md: str, if_note_version: int
) -> TopicProgress:
    """Set a topic's note, keeping its status. The check compares the note's own version
    (`note_version`), which status changes leave alone: a note being edited is refused
    (`Stale`, with the current state and `note_version`) only when the note itself changed
    meanwhile, in another tab or device. Nothing is written then."""
    errors: dict[str, list[str]] = {}
    if message := PROGRESS_NOTE.check(note_md):
        errors["note"] = [message]
    if message := PROGRESS_VERSION.check(if_note_version):
        errors["version"] = [message]
    _raise_if(errors)
    User.objects.select_for_update().filter(pk=user.pk).first()
    row = TopicProgress.objects.select_for_update().filter(user=user, topic=topic).first()
    if if_note_version != (row.note_version if row else 0):
        raise Stale(
            "Your note was changed elsewhere since you opened it; nothing was written.",
            **topic_progress_state(topic=topic, row=row),
            note_version=row.note_version if row else 0,
        )
    if row is None:
        row = TopicProgress(user=user, topic=topic, version=0)
    elif row.note_md == note_md:
        return row
    row.note_md = note_md
    row.note_version += 1
    row.version += 1
    row.auto_skipped = False  # the learner's own note: their background no longer decides
    row.updated_at = timezone.now()
    row.save()
    return row


@transaction.atomic
def topic_changes_dismiss(*, user: User, topic: Topic, revision: int) -> TopicProgress:
    """Dismiss "updated since you finished" up to `revision`, the topic's revision the learner
    was shown: a change made since (a stale dismiss) stays shown. Refused with `Invalid` for a
    revision out of range and for a topic the learner has not finished. Idempotent."""
    if message := TOPIC_REVISION.check(revision):
        raise Invalid({"revision": [message]})
    User.objects.select_for_update().filter(pk=user.pk).first()
    row = TopicProgress.objects.select_for_update().filter(user=user, topic=topic).first()
    if row is None or row.status != TopicProgress.Status.DONE:
        raise Invalid({"revision": ["Only a topic you finished has changes to dismiss."]})
    current = Topic.objects.values_list("revision", flat=True).get(pk=topic.pk)
    seen = min(revision, current)
    if seen <= row.revision_done:
        return row
    row.revision_done = seen
    row.version += 1
    row.updated_at = timezone.now()
    row.save(update_fields=["revision_done", "version", "updated_at"])
    return row


def topic_progress_state(*, topic: Topic, row: TopicProgress | None) -> dict[str, Any]:
    """A topic's progress as the API shows it and a stale write answers it: no row yet is
    "not started" at version 0. `revision_done` (None unless done) is the topic's revision the
    learner finished or last dismissed; below `revision_current`, the topic changed since."""
    updated_at: datetime | None = row.updated_at if row else None
    done = row is not None and row.status == TopicProgress.Status.DONE
    return {
        "topic": topic.slug,
        "status": row.status if row else TopicProgress.Status.NOT_STARTED.value,
        "note": row.note_md if row else "",
        "auto_skipped": row.auto_skipped if row else False,
        "version": row.version if row else 0,
        "hours_taken": row.hours_taken if row else None,
        "hours_derived": effort.derived_hours(user=row.user, row=row) if row else None,
        "revision_done": row.revision_done if row is not None and done else None,
        "revision_current": topic.revision,
        "updated_at": updated_at,
    }


@transaction.atomic
def calendar_token_regenerate(*, enrollment: Enrollment) -> Enrollment:
    """A new secret calendar URL; the old one stops working at once."""
    enrollment.calendar_token = new_calendar_token()
    enrollment.save(update_fields=["calendar_token"])
    return enrollment


@transaction.atomic
def resource_tick(*, user: User, resource: Resource) -> ResourceTick:
    if resource.status != Resource.Status.APPROVED:
        raise Invalid({"resource": ["Only approved resources can be ticked."]})
    # The learner's row queues their ticks and unticks: without it, an untick committed
    # between get_or_create's failed insert and its second read lets the IntegrityError out.
    User.objects.select_for_update().filter(pk=user.pk).first()
    tick, _ = ResourceTick.objects.get_or_create(user=user, resource=resource)
    return tick


@transaction.atomic
def resource_untick(*, user: User, resource: Resource) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()
    ResourceTick.objects.filter(user=user, resource=resource).delete()


@transaction.atomic
def check_in_put(
    *, user: User, enrollment: Enrollment, week: int, hours: int, note_md: str = ""
) -> WeeklyCheckIn:
    """File (or replace) the check-in of one week, up to the current one. Refused while the
    plan is paused: its weeks stand still then, so there is no week to check in for."""
    # Imported here: the pause module builds on this one (local_today).
    from apps.progress.pause import is_paused

    today = local_today(user)
    if enrollment.paused_on is not None and is_paused(enrollment, today=today):
        raise Conflict(
            f"Your plan is paused since {enrollment.paused_on:%-d %B %Y}: resume it to check in.",
            code="plan_paused",
        )
    current = week_number(start_date=enrollment.start_date, day=today)
    last = min(max(current, CHECK_IN_WEEK.min), CHECK_IN_WEEK.max)
    errors: dict[str, list[str]] = {}
    if not CHECK_IN_WEEK.min <= week <= last:
        errors["week"] = [f"Check in for a week from {CHECK_IN_WEEK.min} to {last} (this week)."]
    if message := CHECK_IN_HOURS.check(hours):
        errors["hours"] = [message]
    if message := PROGRESS_NOTE.check(note_md):
        errors["note"] = [message]
    _raise_if(errors)
    User.objects.select_for_update().filter(pk=user.pk).first()
    check_in, created = WeeklyCheckIn.objects.select_for_update().get_or_create(
        user=user,
        roadmap=enrollment.roadmap,
        week=week,
        defaults={"hours": hours, "note_md": note_md},
    )
    if not created and (check_in.hours, check_in.note_md) != (hours, note_md):
        check_in.hours, check_in.note_md = hours, note_md
        check_in.updated_at = timezone.now()
        check_in.save(update_fields=["hours", "note_md", "updated_at"])
    return check_in
