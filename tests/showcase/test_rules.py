"""The showcase's pure rules on fixed inputs: who may like, the like score, the queue order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from apps.community.ranking import share_lower_bound
from apps.showcase.rules import QueueEntry, like_score, may_like, queue_order
from roadmap_site.limits import LIKE_ACCOUNT_AGE

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_week_old_account_may_like_and_a_day_younger_one_may_not() -> None:
    assert may_like(
        joined_at=NOW - LIKE_ACCOUNT_AGE, now=NOW, has_solution=False, has_approved_resource=False
    )
    assert not may_like(
        joined_at=NOW - LIKE_ACCOUNT_AGE + timedelta(seconds=1),
        now=NOW,
        has_solution=False,
        has_approved_resource=False,
    )


def test_a_new_account_with_work_of_its_own_may_like() -> None:
    assert may_like(joined_at=NOW, now=NOW, has_solution=True, has_approved_resource=False)
    assert may_like(joined_at=NOW, now=NOW, has_solution=False, has_approved_resource=True)


def test_the_like_score_is_the_resources_wilson_bound() -> None:
    assert like_score(0) == 0.0
    assert like_score(7) == share_lower_bound(7, 0)
    assert like_score(1) < like_score(2) < like_score(30) < 1.0


@given(st.integers(min_value=0, max_value=10_000))
def test_more_likes_never_score_lower(likes: int) -> None:
    assert 0.0 <= like_score(likes) <= like_score(likes + 1) < 1.0


def entry(pk: int, hours_ago: int, given: int, received: int) -> QueueEntry:
    return QueueEntry(pk, NOW - timedelta(hours=hours_ago), given, received)


def test_reviewers_are_reviewed_first_then_the_oldest_request() -> None:
    taker = entry(1, hours_ago=100, given=0, received=3)  # oldest, but only takes
    newcomer = entry(2, hours_ago=50, given=0, received=0)
    giver = entry(3, hours_ago=1, given=4, received=1)  # newest, but gives the most
    even_old = entry(4, hours_ago=80, given=2, received=2)
    even_new = entry(5, hours_ago=10, given=1, received=1)
    small_giver = entry(6, hours_ago=5, given=1, received=0)
    fixed = [taker, newcomer, giver, even_old, even_new, small_giver]
    assert [e.solution_id for e in queue_order(fixed)] == [3, 6, 4, 2, 5, 1]


def test_the_order_is_total_on_equal_credit_and_time() -> None:
    same = [entry(9, 3, 1, 0), entry(7, 3, 1, 0), entry(8, 3, 1, 0)]
    assert [e.solution_id for e in queue_order(same)] == [7, 8, 9]
    assert queue_order(reversed(same)) == queue_order(same)
