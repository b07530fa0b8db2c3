"""Showcase reads: a project's showcase, a solution's reviews, the review queue, the export.
Query counts stay flat: the showcase is the same handful of queries for 1 or 50 solutions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce

from apps.accounts.models import User
from apps.roadmap.models import Project
from apps.showcase.models import Flag, Like, Review, ReviewRequest
from apps.showcase.rules import QueueEntry, queue_order
from apps.solutions.models import Evidence, Solution
from roadmap_site.errors import NotFound
from roadmap_site.limits import REVIEW_QUEUE_ROWS

# The showcase's filters, by their query parameter: what each keeps.
FILTERS: dict[str, tuple[str, Q]] = {
    "tests": (
        "Has tests",
        Q(Exists(Evidence.objects.filter(solution=OuterRef("pk"), kind="tests", present=True))),
    ),
    "demo": ("Demo up", Q(demo_url__isnull=False, demo_ok=True)),
}


def visible_solutions() -> QuerySet[Solution]:
    return Solution.objects.filter(
        state=Solution.State.ACTIVE, visibility=Solution.Visibility.PUBLIC
    )


def project_get(*, roadmap_slug: str, slug: str) -> Project:
    project = (
        Project.objects.active()
        .select_related("roadmap")
        .filter(roadmap__slug=roadmap_slug, slug=slug)
        .first()
    )
    if project is None:
        raise NotFound("This roadmap has no project by that name.")
    return project


def showcase(*, project: Project, viewer: Any, filters: list[str]) -> QuerySet[Solution]:
    """The project's visible solutions, best first: the like score (rules.like_score, the
    Wilson lower bound), then the like count, then the older solution. Each carries `likes`,
    `score`, `review_count`, `liked` (by the viewer) and its evidence; three queries."""
    queryset = (
        visible_solutions()
        .filter(project=project)
        .select_related("learner")
        .annotate(
            likes_count=Coalesce(F("tally__likes"), Value(0)),
            score=Coalesce(F("tally__score"), Value(0.0)),
            review_count=Count("reviews", filter=Q(reviews__removed_at=None), distinct=True),
        )
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("kind")))
    )
    for name in filters:
        if name in FILTERS:
            queryset = queryset.filter(FILTERS[name][1])
    if getattr(viewer, "is_authenticated", False):
        queryset = queryset.annotate(
            liked=Exists(Like.objects.filter(solution=OuterRef("pk"), user=viewer))
        )
    else:
        queryset = queryset.annotate(liked=Value(False))
    return queryset.order_by("-score", "-likes_count", "created_at", "pk")


def solution_get(*, pk: int, viewer: Any = None) -> Solution:
    """A solution on the showcase (its author sees their own even when hidden)."""
    solution = Solution.objects.select_related("learner", "project__roadmap").filter(pk=pk).first()
    if solution is None or not (
        solution.is_visible
        or (getattr(viewer, "is_authenticated", False) and solution.learner_id == viewer.pk)
    ):
        raise NotFound("No solution on the showcase has this id.")
    return solution


def solution_likes(*, solution: Solution, viewer: Any) -> tuple[int, bool]:
    """The like count and whether the viewer likes it."""
    tally = getattr(solution, "tally", None) if hasattr(solution, "tally") else None
    likes = tally.likes if tally is not None else 0
    liked = bool(
        getattr(viewer, "is_authenticated", False)
        and Like.objects.filter(solution=solution, user=viewer).exists()
    )
    return likes, liked


def reviews_query(*, solution: Solution) -> QuerySet[Review]:
    """The kept reviews, oldest first, with their reviewers (never anonymous): for a page."""
    return (
        Review.objects.filter(solution=solution, removed_at=None)
        .select_related("reviewer")
        .order_by("created_at", "pk")
    )


def reviews_of(*, solution: Solution) -> list[Review]:
    """The kept reviews, oldest first, with their reviewers (never anonymous)."""
    return list(reviews_query(solution=solution))


def review_get(*, pk: int) -> Review:
    review = (
        Review.objects.select_related("solution__learner", "solution__project__roadmap", "reviewer")
        .filter(pk=pk, removed_at=None)
        .first()
    )
    if review is None or not review.solution.is_visible:
        raise NotFound("No review on the showcase has this id.")
    return review


def open_request(*, solution: Solution) -> ReviewRequest | None:
    return ReviewRequest.objects.filter(solution=solution, closed_at=None).first()


@dataclass(frozen=True)
class QueueRow:
    solution: Solution
    entry: QueueEntry


def review_queue(
    *, project: Project | None = None, limit: int = REVIEW_QUEUE_ROWS
) -> list[QueueRow]:
    """Open review requests of visible solutions in rules.queue_order (reviewers first).
    Three queries: the requests with their solutions, the reviews the authors gave, and
    those they received."""
    requests = list(
        ReviewRequest.objects.filter(
            closed_at=None,
            solution__state=Solution.State.ACTIVE,
            solution__visibility=Solution.Visibility.PUBLIC,
        )
        .select_related("solution__learner", "solution__project__roadmap")
        .filter(**({"solution__project": project} if project is not None else {}))
    )
    authors = {request.solution.learner_id for request in requests}
    given = dict(
        Review.objects.filter(reviewer_id__in=authors, removed_at=None)
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "n")
    )
    received = dict(
        Review.objects.filter(solution__learner_id__in=authors, removed_at=None)
        .values("solution__learner_id")
        .annotate(n=Count("pk"))
        .values_list("solution__learner_id", "n")
    )
    entries = {
        request.solution_id: QueueEntry(
            solution_id=request.solution_id,
            requested_at=request.requested_at,
            reviews_given=given.get(request.solution.learner_id, 0),
            reviews_received=received.get(request.solution.learner_id, 0),
        )
        for request in requests
    }
    solutions = {request.solution_id: request.solution for request in requests}
    return [
        QueueRow(solution=solutions[entry.solution_id], entry=entry)
        for entry in queue_order(entries.values())[:limit]
    ]


def export_section(user: User) -> dict[str, list[dict[str, Any]]]:
    """The user's likes, reviews (with the authors' replies), review requests and flags."""
    return {
        "likes": [
            {"solution": like.solution_id, "created_at": like.created_at.isoformat()}
            for like in Like.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "reviews": [
            {
                "solution": review.solution_id,
                "body_md": review.body_md,
                "created_at": review.created_at.isoformat(),
                "reply_md": review.reply_md,
                "removed": review.removed_at is not None,
            }
            for review in Review.objects.filter(reviewer=user).order_by("created_at", "pk")
        ],
        "review_requests": [
            {
                "solution": request.solution_id,
                "requested_at": request.requested_at.isoformat(),
                "closed_at": request.closed_at.isoformat() if request.closed_at else None,
            }
            for request in ReviewRequest.objects.filter(solution__learner=user).order_by("pk")
        ],
        "flags": [
            {
                "solution": flag.solution_id,
                "review": flag.review_id,
                "reason": flag.reason,
                "note": flag.note,
                "created_at": flag.created_at.isoformat(),
                "outcome": flag.outcome,
            }
            for flag in Flag.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }
