"""Likes, reviews, review requests and flags: the rules, each refusal and what it leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.community.ranking import share_lower_bound
from apps.showcase import services
from apps.showcase.models import Flag, Like, Review, ReviewRequest, Tally
from apps.solutions.models import Solution
from roadmap_site.errors import Conflict, Invalid, LimitReached, NotAllowed
from roadmap_site.limits import FLAGS_PER_HOUR, LIKE_ACCOUNT_AGE, REVIEW_BODY
from tests.factories import UserFactory, approved
from tests.support.showcase import make_solution, old_user

pytestmark = pytest.mark.django_db


# -- likes


def test_a_like_counts_once_and_scores_like_a_resource(solution, fan) -> None:
    services.like_add(user=fan, solution=solution)
    tally = services.like_add(user=fan, solution=solution)
    assert (tally.likes, Like.objects.filter(solution=solution).count()) == (1, 1)
    assert Tally.objects.get(pk=solution.pk).score == pytest.approx(share_lower_bound(1, 0))


def test_unlike_takes_the_like_back_and_twice_is_harmless(solution, fan) -> None:
    services.like_add(user=fan, solution=solution)
    services.like_remove(user=fan, solution=solution)
    tally = services.like_remove(user=fan, solution=solution)
    assert (tally.likes, tally.score) == (0, 0.0)
    assert not Like.objects.exists()


def test_no_like_on_ones_own_solution(solution, author) -> None:
    with pytest.raises(NotAllowed) as refused:
        services.like_add(user=author, solution=solution)
    assert refused.value.code == "own_solution"
    assert not Like.objects.exists()


def test_a_new_account_without_work_cannot_like(solution) -> None:
    newcomer = UserFactory()
    with pytest.raises(NotAllowed) as refused:
        services.like_add(user=newcomer, solution=solution)
    assert refused.value.code == "like_not_yet"
    assert "7 days" in refused.value.message
    assert not Like.objects.exists()


def test_the_account_may_like_once_it_is_old_enough(solution) -> None:
    newcomer = UserFactory()
    with time_machine.travel(newcomer.date_joined + LIKE_ACCOUNT_AGE, tick=False):
        assert services.like_add(user=newcomer, solution=solution).likes == 1


def test_a_new_account_with_a_solution_or_an_approved_resource_may_like(
    solution, project, roadmap, topic
) -> None:
    builder, contributor = UserFactory(), UserFactory()
    make_solution(builder, project)
    approved(roadmap, topic, submitted_by=contributor)
    services.like_add(user=builder, solution=solution)
    assert services.like_add(user=contributor, solution=solution).likes == 2


def test_a_hidden_solution_cannot_be_liked(solution, fan) -> None:
    Solution.objects.filter(pk=solution.pk).update(visibility=Solution.Visibility.HIDDEN_MODERATION)
    solution.refresh_from_db()
    with pytest.raises(Conflict):
        services.like_add(user=fan, solution=solution)


# -- reviews


def test_a_peer_who_finished_the_project_reviews_by_name(solution, peer) -> None:
    review = services.review_create(user=peer, solution=solution, body="  Nice **tests**.  ")
    assert (review.reviewer, review.body_md) == (peer, "Nice **tests**.")


def test_someone_without_their_own_solution_cannot_review(solution, fan) -> None:
    with pytest.raises(NotAllowed) as refused:
        services.review_create(user=fan, solution=solution, body="Looks fine.")
    assert refused.value.code == "review_not_allowed"
    assert not Review.objects.exists()


def test_a_hidden_or_withdrawn_own_solution_does_not_count_as_finished(
    solution, fan, project
) -> None:
    make_solution(fan, project, visibility=Solution.Visibility.HIDDEN_DEMO)
    with pytest.raises(NotAllowed):
        services.review_create(user=fan, solution=solution, body="Looks fine.")


def test_no_review_of_ones_own_solution(solution, author) -> None:
    with pytest.raises(NotAllowed):
        services.review_create(user=author, solution=solution, body="Mine is great.")


@pytest.mark.parametrize("body", ["", "   ", "x" * (REVIEW_BODY.max + 1)])
def test_an_empty_or_too_long_review_is_refused_by_field(solution, peer, body) -> None:
    with pytest.raises(Invalid) as refused:
        services.review_create(user=peer, solution=solution, body=body)
    assert list(refused.value.message_dict) == ["body"]
    assert not Review.objects.exists()


def test_one_kept_review_per_reviewer(solution, peer) -> None:
    services.review_create(user=peer, solution=solution, body="First.")
    with pytest.raises(Conflict) as refused:
        services.review_create(user=peer, solution=solution, body="Second.")
    assert refused.value.code == "already_reviewed"


def test_the_author_replies_and_nobody_else_does(solution, peer, author, fan) -> None:
    review = services.review_create(user=peer, solution=solution, body="Add a CI workflow.")
    with pytest.raises(NotAllowed):
        services.review_reply(user=fan, review=review, body="Not mine to answer.")
    replied = services.review_reply(user=author, review=review, body="Done, thanks.")
    assert replied.reply_md == "Done, thanks." and replied.replied_at is not None


def test_asking_for_a_review_queues_once_and_a_review_closes_it(solution, author, peer) -> None:
    services.review_request(user=author, solution=solution)
    with pytest.raises(Conflict) as refused:
        services.review_request(user=author, solution=solution)
    assert refused.value.code == "already_requested"
    services.review_create(user=peer, solution=solution, body="Reviewed.")
    assert ReviewRequest.objects.get().closed_at is not None


def test_only_the_author_asks_for_a_review(solution, fan) -> None:
    with pytest.raises(NotAllowed):
        services.review_request(user=fan, solution=solution)
    assert not ReviewRequest.objects.exists()


# -- flags


@pytest.mark.parametrize("reason", ["broken", "insecure", "spam", "plagiarism"])
def test_a_solution_is_flagged_with_a_reason(solution, fan, reason) -> None:
    flag = services.flag_create(user=fan, solution=solution, reason=reason)
    assert (flag.solution, flag.reason, flag.resolved_at) == (solution, reason, None)


def test_other_needs_a_note(solution, fan) -> None:
    with pytest.raises(Invalid) as refused:
        services.flag_create(user=fan, solution=solution, reason="other", note="  ")
    assert list(refused.value.message_dict) == ["note"]
    flag = services.flag_create(user=fan, solution=solution, reason="other", note="Not ML.")
    assert flag.note == "Not ML."


def test_an_unknown_reason_is_refused(solution, fan) -> None:
    with pytest.raises(Invalid):
        services.flag_create(user=fan, solution=solution, reason="boring")
    assert not Flag.objects.exists()


def test_a_review_is_flagged_and_one_open_flag_per_person(solution, peer, fan) -> None:
    review = services.review_create(user=peer, solution=solution, body="Rude words.")
    services.flag_create(user=fan, review=review, reason="spam")
    with pytest.raises(Conflict) as refused:
        services.flag_create(user=fan, review=review, reason="spam")
    assert refused.value.code == "open_flag"


def test_flags_are_rate_limited_per_hour(project, fan) -> None:
    others = [make_solution(old_user(), project) for _ in range(FLAGS_PER_HOUR + 1)]
    for minute, other in enumerate(others[:-1]):
        with time_machine.travel(timezone.now() - timedelta(minutes=50 - minute), tick=False):
            services.flag_create(user=fan, solution=other, reason="broken")
    with pytest.raises(LimitReached) as refused:
        services.flag_create(user=fan, solution=others[-1], reason="broken")
    assert refused.value.code == "flag_limit"
    assert refused.value.retry_after == 10 * 60  # the oldest leaves the hour in ten minutes
    assert Flag.objects.count() == FLAGS_PER_HOUR
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        services.flag_create(user=fan, solution=others[-1], reason="broken")
    assert Flag.objects.count() == FLAGS_PER_HOUR + 1
