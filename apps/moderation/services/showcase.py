"""The showcase's moderation: hide or restore a solution, remove a review, dismiss a flag,
and `flag_decide`, the one answer to a flag that the queue page and the API both give.

Each act closes the open flags it answers, and every decision (the act and each flag's
outcome) is one row of the public log, written by `audited_write`. None of it is roadmap
content, so no roadmap's version moves (`public=False`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.moderation.models import ModerationAction
from apps.moderation.services.audit import Decision, audited_write, joined, reason_clean
from apps.showcase.models import Flag, Review
from apps.solutions.models import Solution
from roadmap_site.errors import Conflict, Invalid

Action = ModerationAction.Action


def _flag_closings(flags: list[Flag], *, actor: User, outcome: str, said: str) -> list[Decision]:
    now = timezone.now()
    return [
        Decision(
            target=flag,
            action=Action.CLOSE_FLAG,
            changes={"resolved_by": actor, "resolved_at": now, "outcome": outcome},
            reason=joined(f"Flag: {flag.reason}.", said),
        )
        for flag in flags
    ]


def _open_flags(**where: object) -> list[Flag]:
    return list(
        Flag.objects.select_for_update(of=("self",))
        .select_related("solution__learner", "solution__project", "review__solution__learner")
        .select_related("review__solution__project")
        .filter(resolved_at=None, **where)
        .order_by("pk")
    )


def _locked_solution(solution: Solution) -> Solution:
    return (
        Solution.objects.select_for_update(of=("self",))
        .select_related("learner", "project")
        .get(pk=solution.pk)
    )


@transaction.atomic
def solution_hide(*, actor: User, solution: Solution, reason: str) -> Solution:
    """Take a solution off the showcase (never deleted); its open flags close as "hidden"."""
    reason = reason_clean(reason, required=True)
    solution = _locked_solution(solution)
    if solution.visibility == Solution.Visibility.HIDDEN_MODERATION:
        raise Conflict("A moderator has already hidden this solution.", code="already_hidden")
    flags = _open_flags(solution=solution)
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=solution,
                action=Action.HIDE_SOLUTION,
                changes={
                    "visibility": Solution.Visibility.HIDDEN_MODERATION,
                    "updated_at": timezone.now(),
                },
                reason=reason,
            ),
            *_flag_closings(flags, actor=actor, outcome="hidden", said="The solution was hidden."),
        ],
        public=False,
    )
    return solution


@transaction.atomic
def solution_restore(*, actor: User, solution: Solution, reason: str = "") -> Solution:
    """Put a solution a moderator hid back on the showcase."""
    reason = reason_clean(reason)
    solution = _locked_solution(solution)
    if solution.visibility != Solution.Visibility.HIDDEN_MODERATION:
        raise Conflict("Only a solution a moderator hid can be restored.", code="not_hidden")
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=solution,
                action=Action.RESTORE_SOLUTION,
                changes={"visibility": Solution.Visibility.PUBLIC, "updated_at": timezone.now()},
                reason=reason,
            )
        ],
        public=False,
    )
    return solution


@transaction.atomic
def review_remove(*, actor: User, review: Review, reason: str) -> Review:
    """Remove a review from its solution's page (the row stays, marked); its open flags close
    as "removed"."""
    reason = reason_clean(reason, required=True)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("solution__learner", "solution__project")
        .get(pk=review.pk)
    )
    if review.removed_at is not None:
        raise Conflict("This review was already removed.", code="already_removed")
    flags = _open_flags(review=review)
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=review,
                action=Action.REMOVE_REVIEW,
                changes={"removed_at": timezone.now()},
                reason=reason,
            ),
            *_flag_closings(flags, actor=actor, outcome="removed", said="The review was removed."),
        ],
        public=False,
    )
    return review


@transaction.atomic
def flag_dismiss(*, actor: User, flag: Flag, note: str = "") -> Flag:
    """Close a flag without acting on what it flagged. The flagger's own note is never shown
    in the log; the moderator's is."""
    note = reason_clean(note, field="note")
    locked = _open_flags(pk=flag.pk)
    if not locked:
        raise Conflict("This flag was already closed.", code="already_resolved")
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=locked[0],
                action=Action.DISMISS_FLAG,
                changes={
                    "resolved_by": actor,
                    "resolved_at": timezone.now(),
                    "outcome": "dismissed",
                },
                reason=joined(f"Flag: {locked[0].reason}.", note),
            )
        ],
        public=False,
    )
    return locked[0]


# What a moderator may do about a flag, by what it flags: one list for the page's form and the
# API. Hiding is for a solution, removing for a review; dismissing for either.
FLAG_ACTIONS = {
    "dismiss": "Dismiss the flag (nothing is wrong)",
    "hide": "Hide the solution from the showcase",
    "remove": "Remove the review",
}


def flag_actions(flag: Flag) -> list[str]:
    return ["dismiss", "remove" if flag.review_id is not None else "hide"]


def flag_decide(*, actor: User, flag: Flag, action: str, reason: str = "") -> Flag:
    """Answer a flag: dismiss it, or act on what it flags (which closes every open flag on the
    same thing). Returns the flag as it stands after."""
    allowed = flag_actions(flag)
    if action not in allowed:
        raise Invalid({"action": [f"For this flag, choose one of: {', '.join(allowed)}."]})
    if action == "hide" and flag.solution is not None:
        solution_hide(actor=actor, solution=flag.solution, reason=reason)
    elif action == "remove" and flag.review is not None:
        review_remove(actor=actor, review=flag.review, reason=reason)
    else:
        flag_dismiss(actor=actor, flag=flag, note=reason)
    flag.refresh_from_db(fields=["resolved_by", "resolved_at", "outcome"])
    return flag
