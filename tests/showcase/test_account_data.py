"""Export and account deletion cover likes, reviews, review requests and flags."""

from __future__ import annotations

import pytest

from apps.accounts.services import user_delete
from apps.showcase import services
from apps.showcase.models import Flag, Like, Review, Tally
from apps.showcase.rules import like_score
from tests.factories import PASSWORD
from tests.support.clients import client_for
from tests.support.showcase import make_solution, old_user

pytestmark = pytest.mark.django_db


def test_the_export_has_the_users_likes_reviews_requests_and_flags(solution, peer, project) -> None:
    services.like_add(user=peer, solution=solution)
    services.review_create(user=peer, solution=solution, body="Good.")
    services.flag_create(user=peer, solution=solution, reason="other", note="Odd licence.")
    own = Review.objects.get().solution.learner  # the author asks for a review of theirs
    services.review_request(user=own, solution=solution)
    body = client_for(peer).get("/api/v1/me/export/").json()["showcase"]
    assert [like["solution"] for like in body["likes"]] == [solution.pk]
    assert [review["body_md"] for review in body["reviews"]] == ["Good."]
    assert [(flag["reason"], flag["note"]) for flag in body["flags"]] == [("other", "Odd licence.")]
    assert body["review_requests"] == []
    theirs = client_for(own).get("/api/v1/me/export/").json()["showcase"]
    assert [r["solution"] for r in theirs["review_requests"]] == [solution.pk]
    assert theirs["likes"] == theirs["reviews"] == theirs["flags"] == []


def test_deleting_an_account_recounts_likes_and_drops_its_reviews(solution, peer) -> None:
    other = old_user()
    services.like_add(user=peer, solution=solution)
    services.like_add(user=other, solution=solution)
    services.review_create(user=peer, solution=solution, body="Good.")
    flag = services.flag_create(user=peer, solution=solution, reason="spam")
    user_delete(user=peer, password=PASSWORD)
    tally = Tally.objects.get(pk=solution.pk)
    assert (tally.likes, tally.score) == (1, pytest.approx(like_score(1)))
    assert list(Like.objects.values_list("user", flat=True)) == [other.pk]
    assert not Review.objects.exists()
    flag.refresh_from_db()
    assert flag.user is None  # kept for the moderators, without the name


def test_deleting_the_author_deletes_their_solution_and_its_likes(solution, fan, project) -> None:
    make_solution(fan, project)
    services.like_add(user=fan, solution=solution)
    user_delete(user=solution.learner, password=PASSWORD)
    assert not Like.objects.exists() and not Flag.objects.exists()
