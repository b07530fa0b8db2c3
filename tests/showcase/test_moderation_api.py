"""Moderators decide flags and restore solutions over the API, with the same service (and the
same refusals) as the queue's pages: the flags list, decide, restore."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.moderation.models import ModerationAction
from apps.showcase import services
from apps.showcase.models import Flag
from apps.solutions.models import Solution

pytestmark = pytest.mark.django_db
FLAGS = "/api/v1/moderation/flags/"


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_only_moderators_read_the_flags(solution, fan) -> None:
    services.flag_create(user=fan, solution=solution, reason="spam")
    assert _client().get(FLAGS).status_code in (401, 403)
    assert _client(fan).get(FLAGS).status_code == 403


def test_the_flags_list_is_paginated_oldest_first_with_what_each_flags(
    solution, fan, peer, moderator, django_assert_num_queries
) -> None:
    on_solution = services.flag_create(user=fan, solution=solution, reason="broken")
    review = services.review_create(user=peer, solution=solution, body="Rude.")
    on_review = services.flag_create(user=fan, review=review, reason="other", note="rude")
    client = _client(moderator)
    client.get(FLAGS)  # warm the role cache
    with django_assert_num_queries(2):  # the count and the page, nothing per row
        body = client.get(FLAGS).json()
    assert body["count"] == 2
    first, second = body["results"]
    assert first["id"] == on_solution.pk and first["actions"] == ["dismiss", "hide"]
    assert first["target"]["kind"] == "solution"
    assert first["target"]["page"] == f"/solutions/{solution.pk}/reviews/"
    assert first["flagged_by"] == "Fran"
    assert second["id"] == on_review.pk and second["actions"] == ["dismiss", "remove"]
    assert second["target"]["page"].endswith(f"#review-{review.pk}")
    assert second["note"] == "rude"


def test_hiding_by_the_api_closes_every_flag_on_the_solution_and_logs_it(
    solution, fan, peer, moderator
) -> None:
    first = services.flag_create(user=fan, solution=solution, reason="spam")
    services.flag_create(user=peer, solution=solution, reason="plagiarism")
    answer = _client(moderator).post(
        f"{FLAGS}{first.pk}/decide/", {"action": "hide", "reason": "Spam."}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["outcome"] == "hidden" and answer.json()["actions"] == []
    assert set(Flag.objects.values_list("outcome", flat=True)) == {"hidden"}
    solution.refresh_from_db()
    assert solution.visibility == Solution.Visibility.HIDDEN_MODERATION
    assert ModerationAction.objects.filter(action="hide-solution").count() == 1
    assert _client(moderator).get(FLAGS).json()["count"] == 0
    again = _client(moderator).post(
        f"{FLAGS}{first.pk}/decide/", {"action": "dismiss"}, format="json"
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "remove", "reason": "Wrong."}, "action"),  # remove is for a review
        ({"action": "hide"}, "reason"),  # hiding needs a reason
        ({"action": "explode", "reason": "x"}, "action"),
        ({}, "action"),
    ],
)
def test_a_wrong_decision_says_why_and_writes_nothing(
    solution, fan, moderator, payload, field
) -> None:
    flag = services.flag_create(user=fan, solution=solution, reason="spam")
    answer = _client(moderator).post(f"{FLAGS}{flag.pk}/decide/", payload, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    flag.refresh_from_db()
    assert flag.resolved_at is None and not ModerationAction.objects.exists()


def test_an_unknown_flag_is_a_404(moderator) -> None:
    answer = _client(moderator).post(f"{FLAGS}999999/decide/", {"action": "dismiss"})
    assert answer.status_code == 404


def test_restore_over_the_api_once(solution, fan, moderator) -> None:
    flag = services.flag_create(user=fan, solution=solution, reason="spam")
    _client(moderator).post(
        f"{FLAGS}{flag.pk}/decide/", {"action": "hide", "reason": "Spam."}, format="json"
    )
    url = f"/api/v1/moderation/solutions/{solution.pk}/restore/"
    assert _client(fan).post(url, {}, format="json").status_code == 403
    answer = _client(moderator).post(url, {"note": "Fixed."}, format="json")
    assert answer.status_code == 200
    assert answer.json() == {"id": solution.pk, "visibility": "public"}
    assert _client(moderator).post(url, {}, format="json").status_code == 409


def test_the_page_and_the_api_offer_the_same_decisions(solution, fan, moderator, client) -> None:
    flag = services.flag_create(user=fan, solution=solution, reason="spam")
    client.force_login(moderator)
    page = client.get(f"/moderation/flags/{flag.pk}/").content.decode()
    assert 'value="dismiss"' in page and 'value="hide"' in page and 'value="remove"' not in page
    refused = client.post(f"/moderation/flags/{flag.pk}/", {"action": "remove", "reason": "x"})
    assert refused.status_code == 400
    flag.refresh_from_db()
    assert flag.resolved_at is None
