"""The showcase API: the showcase with filters, likes, reviews and replies, review requests,
the queue, flags; refusals in the house's error shape."""

from __future__ import annotations

import pytest

from apps.showcase.models import Flag, Like, Review
from apps.solutions.models import Solution
from tests.support.clients import client_for
from tests.support.showcase import make_solution, old_user, with_evidence

pytestmark = pytest.mark.django_db

BASE = "/api/v1/roadmaps/ml-engineer/projects/fraud-api"


def test_the_showcase_lists_visible_solutions_best_first_with_badges(project, solution) -> None:
    tested = with_evidence(make_solution(old_user(), project), "tests")
    client_for(old_user()).put(f"/api/v1/solutions/{tested.pk}/like/")
    body = client_for(None).get(f"{BASE}/showcase/").json()["results"]
    assert [row["id"] for row in body] == [tested.pk, solution.pk]
    assert body[0]["likes"] == 1 and body[0]["evidence"] == [{"kind": "tests", "label": "Tests"}]
    only = client_for(None).get(f"{BASE}/showcase/?only=tests").json()["results"]
    assert [row["id"] for row in only] == [tested.pk]
    refused = client_for(None).get(f"{BASE}/showcase/?only=nonsense")
    assert refused.status_code == 400


def test_like_and_unlike(solution, fan) -> None:
    client = client_for(fan)
    liked = client.put(f"/api/v1/solutions/{solution.pk}/like/")
    assert liked.status_code == 200 and liked.json()["likes"] == 1 and liked.json()["liked"]
    unliked = client.delete(f"/api/v1/solutions/{solution.pk}/like/")
    assert unliked.json()["likes"] == 0 and not Like.objects.exists()


def test_own_like_is_a_403_with_a_code(solution, author) -> None:
    response = client_for(author).put(f"/api/v1/solutions/{solution.pk}/like/")
    assert (response.status_code, response.json()["code"]) == (403, "own_solution")


def test_a_hidden_solution_is_not_found(solution, fan) -> None:
    Solution.objects.filter(pk=solution.pk).update(visibility=Solution.Visibility.HIDDEN_DEMO)
    assert client_for(fan).put(f"/api/v1/solutions/{solution.pk}/like/").status_code == 404


def test_review_reply_and_list(solution, peer, author) -> None:
    created = client_for(peer).post(
        f"/api/v1/solutions/{solution.pk}/reviews/", {"body": "Nice <b onclick=x>work</b>"}
    )
    assert created.status_code == 201
    review = created.json()
    assert review["reviewer"] == "Petra" and "onclick" not in review["body_html"]
    reply = client_for(author).put(f"/api/v1/reviews/{review['id']}/reply/", {"body": "Thanks"})
    assert reply.status_code == 200 and reply.json()["reply_md"] == "Thanks"
    listed = client_for(None).get(f"/api/v1/solutions/{solution.pk}/reviews/").json()["results"]
    assert [item["id"] for item in listed] == [review["id"]]


def test_a_review_from_someone_who_did_not_finish_is_a_403(solution, fan) -> None:
    response = client_for(fan).post(f"/api/v1/solutions/{solution.pk}/reviews/", {"body": "Hi"})
    assert (response.status_code, response.json()["code"]) == (403, "review_not_allowed")
    assert not Review.objects.exists()


def test_review_request_and_queue(solution, author) -> None:
    asked = client_for(author).post(f"/api/v1/solutions/{solution.pk}/review-request/")
    assert asked.status_code == 201
    again = client_for(author).post(f"/api/v1/solutions/{solution.pk}/review-request/")
    assert (again.status_code, again.json()["code"]) == (409, "already_requested")
    queue = client_for(None).get(f"{BASE}/review-queue/").json()["results"]
    assert [(row["solution"], row["learner"]) for row in queue] == [(solution.pk, "Alan")]


def test_flags_on_a_solution_and_a_review(solution, peer, fan) -> None:
    client = client_for(fan)
    other = client.post(f"/api/v1/solutions/{solution.pk}/flags/", {"reason": "other"})
    assert other.status_code == 400 and "note" in other.json()
    made = client.post(f"/api/v1/solutions/{solution.pk}/flags/", {"reason": "broken"})
    assert made.status_code == 201
    review = (
        client_for(peer).post(f"/api/v1/solutions/{solution.pk}/reviews/", {"body": "Spam"}).json()
    )
    on_review = client.post(f"/api/v1/reviews/{review['id']}/flags/", {"reason": "spam"})
    assert on_review.status_code == 201
    assert Flag.objects.count() == 2
