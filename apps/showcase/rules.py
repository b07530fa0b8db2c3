"""The showcase's rules, each in one place and free of the database, so that they can be
tested on fixed inputs: who may like, the review queue's order, a like's ranking score."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from apps.community.ranking import share_lower_bound
from roadmap_site.limits import LIKE_ACCOUNT_AGE


def may_like(
    *, joined_at: datetime, now: datetime, has_solution: bool, has_approved_resource: bool
) -> bool:
    """A like counts only from an account at least LIKE_ACCOUNT_AGE old, or from someone who
    has shown work of their own: a solution, or a resource approved onto the roadmap. A farm
    of fresh accounts cannot lift a solution."""
    return now - joined_at >= LIKE_ACCOUNT_AGE or has_solution or has_approved_resource


def like_score(likes: int) -> float:
    """The ranking score of a solution with `likes` likes: the lower bound of the Wilson
    interval that resources are ranked by (apps.community.ranking), with likes as the only
    evidence (a like has no opposite). In [0, 1), higher with more likes; equal counts tie
    and the older solution comes first."""
    return share_lower_bound(likes, 0)


@dataclass(frozen=True)
class QueueEntry:
    """A solution waiting for a review: when it was asked for, and its author's record."""

    solution_id: int
    requested_at: datetime
    reviews_given: int  # reviews the author wrote of other people's solutions (kept ones)
    reviews_received: int  # reviews the author's solutions received (kept ones)

    @property
    def credit(self) -> int:
        return self.reviews_given - self.reviews_received


def queue_order(entries: Iterable[QueueEntry]) -> list[QueueEntry]:
    """The review queue, first to be reviewed first.

    The rule: an author's credit is the reviews they gave others minus the reviews they got.
    Higher credit first, so that people who review others are reviewed first and someone who
    only takes waits behind everyone who gives; equal credit, the older request first; then
    the solution's id, so the order is total.
    """
    return sorted(entries, key=lambda e: (-e.credit, e.requested_at, e.solution_id))
