"""Showcase writes: like, unlike, review, reply, ask for a review, flag. One use case per
function; each refusal is a roadmap_site.errors exception and writes nothing.

Like the community's votes and reports, each write locks the user's row first, so one
person's parallel clicks queue instead of racing to insert."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.roadmap.models import Resource
from apps.showcase.models import Flag, Like, Review, ReviewRequest, Tally
from apps.showcase.rules import like_score, may_like
from apps.solutions.models import Solution
from roadmap_site.errors import Conflict, Invalid, LimitReached, NotAllowed
from roadmap_site.limits import (
    FLAG_NOTE,
    FLAGS_PER_HOUR,
    LIKE_ACCOUNT_AGE,
    REVIEW_BODY,
    REVIEW_REPLY,
    Length,
)


def _lock_user(user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()


def _visible(solution: Solution, *, doing: str) -> None:
    if not solution.is_visible:
        raise Conflict(f"Only solutions on the showcase can be {doing}.", code="not_visible")


# -- likes


def like_allowed(*, user: User, now: datetime | None = None) -> bool:
    """rules.may_like for this account (no query for an account old enough)."""
    now = now or timezone.now()
    if now - user.date_joined >= LIKE_ACCOUNT_AGE:
        return True
    has_solution = Solution.objects.filter(learner=user, state=Solution.State.ACTIVE).exists()
    has_resource = Resource.objects.approved().filter(submitted_by=user).exists()
    return may_like(
        joined_at=user.date_joined,
        now=now,
        has_solution=has_solution,
        has_approved_resource=has_resource,
    )


def _likeable(*, user: User, solution: Solution) -> None:
    _visible(solution, doing="liked")
    if solution.learner_id == user.pk:
        raise NotAllowed("You cannot like your own solution.", code="own_solution")
    if not like_allowed(user=user):
        raise NotAllowed(
            f"Likes count from accounts at least {LIKE_ACCOUNT_AGE.days} days old, or from "
            "people with a solution or an approved resource of their own.",
            code="like_not_yet",
        )


def _tally_move(*, solution: Solution, by: int) -> Tally:
    """Move the like count with F() (the row's lock queues concurrent likes) and re-score
    from the committed-plus-ours count, in the caller's transaction."""
    Tally.objects.bulk_create([Tally(solution=solution)], ignore_conflicts=True)
    if by:
        Tally.objects.filter(pk=solution.pk).update(likes=F("likes") + by)
    tally = Tally.objects.get(pk=solution.pk)
    tally.score = like_score(tally.likes)
    Tally.objects.filter(pk=solution.pk).update(score=tally.score)
    return tally


@transaction.atomic
def like_add(*, user: User, solution: Solution) -> Tally:
    """Like a solution; liking it again changes nothing."""
    _likeable(user=user, solution=solution)
    _lock_user(user)
    _, created = Like.objects.get_or_create(user=user, solution=solution)
    return _tally_move(solution=solution, by=1 if created else 0)


@transaction.atomic
def like_remove(*, user: User, solution: Solution) -> Tally:
    """Take a like back; without one, nothing changes."""
    _lock_user(user)
    removed, _ = Like.objects.filter(user=user, solution=solution).delete()
    return _tally_move(solution=solution, by=-1 if removed else 0)


# -- reviews


def review_allowed(*, user: User, solution: Solution) -> bool:
    """Who finished the same project: someone whose own solution of it is on the showcase
    (active and public). A solution is the project's evidence of being done; a tick in the
    plan is not."""
    return (
        Solution.objects.filter(
            learner=user,
            project_id=solution.project_id,
            state=Solution.State.ACTIVE,
            visibility=Solution.Visibility.PUBLIC,
        )
        .exclude(pk=solution.pk)
        .exists()
    )


def _text(value: str, *, field: str, limit: Length) -> str:
    value = (value or "").strip()
    problem = limit.check(value)
    if problem:
        raise Invalid({field: [problem]})
    return value


@transaction.atomic
def review_create(*, user: User, solution: Solution, body: str) -> Review:
    """Review another learner's solution of a project one has finished (Markdown, rendered
    through the site's sanitiser). One kept review per reviewer and solution. A review closes
    the solution's open request in the review queue."""
    body = _text(body, field="body", limit=REVIEW_BODY)
    _visible(solution, doing="reviewed")
    if solution.learner_id == user.pk:
        raise NotAllowed("You cannot review your own solution.", code="own_solution")
    if not review_allowed(user=user, solution=solution):
        raise NotAllowed(
            "Reviews come from learners who finished the same project: submit your own "
            "solution of it first.",
            code="review_not_allowed",
        )
    _lock_user(user)
    existing = Review.objects.filter(solution=solution, reviewer=user, removed_at=None).first()
    if existing is not None:
        raise Conflict(
            "You have already reviewed this solution.", code="already_reviewed", review=existing.pk
        )
    now = timezone.now()
    review = Review.objects.create(solution=solution, reviewer=user, body_md=body, created_at=now)
    ReviewRequest.objects.filter(solution=solution, closed_at=None).update(closed_at=now)
    return review


@transaction.atomic
def review_reply(*, user: User, review: Review, body: str) -> Review:
    """The solution's author answers a review (again: the reply is replaced)."""
    body = _text(body, field="body", limit=REVIEW_REPLY)
    review = Review.objects.select_for_update().select_related("solution").get(pk=review.pk)
    if review.solution.learner_id != user.pk:
        raise NotAllowed("Only the solution's author can reply to its reviews.", code="not_author")
    if review.removed_at is not None:
        raise Conflict("A moderator removed this review.", code="review_removed")
    review.reply_md, review.replied_at = body, timezone.now()
    review.save(update_fields=["reply_md", "replied_at"])
    return review


@transaction.atomic
def review_request(*, user: User, solution: Solution) -> ReviewRequest:
    """Put one's own solution in the review queue (rules.queue_order decides its place)."""
    if solution.learner_id != user.pk:
        raise NotAllowed("Only the solution's author can ask for a review.", code="not_author")
    _visible(solution, doing="reviewed")
    _lock_user(user)
    open_request = ReviewRequest.objects.filter(solution=solution, closed_at=None).first()
    if open_request is not None:
        raise Conflict(
            "This solution is already waiting for a review.",
            code="already_requested",
            requested_at=open_request.requested_at.isoformat(),
        )
    return ReviewRequest.objects.create(solution=solution)


# -- flags


def _flag_input(reason: str, note: str) -> str:
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if reason not in Flag.Reason.values:
        errors["reason"] = ["Choose a reason: " + ", ".join(Flag.Reason.values) + "."]
    if problem := FLAG_NOTE.check(note):
        errors["note"] = [problem]
    elif reason == Flag.Reason.OTHER and not note:
        errors["note"] = ["Say what is wrong: “something else” needs a note."]
    if errors:
        raise Invalid(errors)
    return note


def _flags_per_hour_check(*, user: User, now: datetime) -> None:
    """At most FLAGS_PER_HOUR flags in any hour (429, with the seconds until the oldest of
    them leaves the hour), as with reports on resources."""
    hour = timedelta(hours=1)
    window = list(
        Flag.objects.filter(user=user, created_at__gt=now - hour)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:FLAGS_PER_HOUR]
    )
    if len(window) < FLAGS_PER_HOUR:
        return
    retry_after = max(1, math.ceil((window[-1] + hour - now).total_seconds()))
    raise LimitReached(
        f"You have sent {FLAGS_PER_HOUR} flags in the last hour, the most allowed. "
        f"You can flag again in {math.ceil(retry_after / 60)} min.",
        code="flag_limit",
        retry_after=retry_after,
    )


@transaction.atomic
def flag_create(
    *,
    user: User,
    reason: str,
    note: str = "",
    solution: Solution | None = None,
    review: Review | None = None,
) -> Flag:
    """Flag a solution on the showcase or a kept review of one, for the moderators: one open
    flag per person and thing (a second is a Conflict "open_flag")."""
    note = _flag_input(reason, note)
    if (solution is None) == (review is None):
        raise Invalid("Flag either a solution or a review.")
    if solution is not None:
        _visible(solution, doing="flagged")
    elif review is not None and (review.removed_at is not None or not review.solution.is_visible):
        raise Conflict("This review is no longer shown.", code="not_visible")
    _lock_user(user)
    open_flag = Flag.objects.filter(
        user=user, solution=solution, review=review, resolved_at=None
    ).first()
    if open_flag is not None:
        raise Conflict(
            "You already flagged this; a moderator will look at it.",
            code="open_flag",
            flag=open_flag.pk,
        )
    now = timezone.now()
    _flags_per_hour_check(user=user, now=now)
    return Flag.objects.create(
        user=user, solution=solution, review=review, reason=reason, note=note, created_at=now
    )


# -- account deletion


@transaction.atomic
def showcase_of_user_remove(user: User) -> None:
    """An account deletion's hook (apps.accounts.deletion): the user's likes go and each
    solution they liked is recounted from the likes left, in the deletion's transaction (the
    tallies locked first, in order). Their reviews and the requests of their solutions cascade
    with the user; their flags stay for the moderators, without the name (SET_NULL)."""
    solution_ids = sorted(set(Like.objects.filter(user=user).values_list("solution_id", flat=True)))
    if not solution_ids:
        return
    list(Tally.objects.select_for_update().filter(pk__in=solution_ids).order_by("pk"))
    Like.objects.filter(user=user).delete()
    for solution_id in solution_ids:
        likes = Like.objects.filter(solution_id=solution_id).count()
        Tally.objects.filter(pk=solution_id).update(likes=likes, score=like_score(likes))
