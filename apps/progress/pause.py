"""Pause my plan: while paused, a learner gets no emails and nothing in the plan runs overdue.

The plan's clock stops on the day of the pause (`plan_today`); resuming lays what is not done
out again from the resume day's week (the anchor moves, as a re-plan does), so the remaining
weeks move later by the length of the pause and nothing done moves. A pause lasts at most
`PLAN_PAUSE_MAX`; after that the plan runs again on its own, from the day the pause ran out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from apps.progress.models import Enrollment
from apps.progress.services import local_today
from roadmap_site.errors import Conflict
from roadmap_site.limits import PLAN_PAUSE_MAX


def pause_ends_on(enrollment: Enrollment) -> date | None:
    """The day the current pause runs out; None when not paused."""
    if enrollment.paused_on is None:
        return None
    return enrollment.paused_on + PLAN_PAUSE_MAX


def is_paused(enrollment: Enrollment, *, today: date | None = None) -> bool:
    ends = pause_ends_on(enrollment)
    if ends is None:
        return False
    return (today or local_today(enrollment.user)) < ends


def plan_today(enrollment: Enrollment) -> date:
    """The day the plan is read at: today, or the pause's first day while paused (so nothing
    runs overdue), or the day the pause ran out after that (the pause is over then)."""
    today = local_today(enrollment.user)
    ends = pause_ends_on(enrollment)
    if ends is None or today >= ends:
        return today
    return min(today, enrollment.paused_on or today)


@dataclass(frozen=True)
class PauseState:
    """What the dashboard and the API say about a pause."""

    paused: bool
    since: date | None
    ends_on: date | None


def pause_state(enrollment: Enrollment) -> PauseState:
    if not is_paused(enrollment):
        return PauseState(paused=False, since=None, ends_on=None)
    return PauseState(paused=True, since=enrollment.paused_on, ends_on=pause_ends_on(enrollment))


@transaction.atomic
def plan_pause(*, enrollment: Enrollment) -> Enrollment:
    locked = Enrollment.objects.select_for_update().select_related("user").get(pk=enrollment.pk)
    if is_paused(locked):
        raise Conflict("Your plan is already paused.", code="already_paused")
    locked.paused_on = local_today(locked.user)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["paused_on", "updated_at"])
    return locked


@transaction.atomic
def plan_resume(*, enrollment: Enrollment) -> Enrollment:
    """Resume: what is not done is laid out again from this week, later by the pause."""
    locked = Enrollment.objects.select_for_update().select_related("user").get(pk=enrollment.pk)
    if not is_paused(locked):
        raise Conflict("Your plan is not paused.", code="not_paused")
    today = local_today(locked.user)
    locked.paused_on = None
    locked.plan_anchor = max(today, locked.start_date)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["paused_on", "plan_anchor", "updated_at"])
    return locked
