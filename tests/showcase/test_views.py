"""The showcase's pages: ranking, filters without JavaScript, likes (htmx and plain forms),
reviews and replies, flags, the review queue; query counts pinned at 1x and 10x."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.showcase import services
from apps.showcase.models import Flag, Like, Review
from apps.solutions.models import Solution
from tests.factories import UserFactory
from tests.support.clients import page_client_for
from tests.support.showcase import make_solution, old_user, with_evidence

pytestmark = pytest.mark.django_db

SHOWCASE = "/roadmaps/ml-engineer/projects/fraud-api/showcase/"


def like_from(solution: Solution, n: int) -> None:
    for _ in range(n):
        services.like_add(user=old_user(), solution=solution)


def test_the_showcase_ranks_by_likes_and_shows_evidence(project, solution, fan) -> None:
    popular = with_evidence(make_solution(old_user(display_name="Pia"), project), "tests", "ci")
    like_from(popular, 3)
    like_from(solution, 1)
    hidden = make_solution(
        old_user(display_name="Hugo"), project, visibility=Solution.Visibility.HIDDEN_MODERATION
    )
    page = page_client_for(fan).get(SHOWCASE)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(f'id="solution-{popular.pk}"') < html.index(f'id="solution-{solution.pk}"')
    assert f'id="solution-{hidden.pk}"' not in html
    assert "✓ Tests" in html and "✓ CI workflow" in html


def test_the_filters_work_as_a_plain_get_form(project, solution) -> None:
    tested = with_evidence(make_solution(old_user(), project), "tests")
    demo = make_solution(old_user(), project, demo_url="https://demo.example/", demo_ok=True)
    client = page_client_for(None)
    # Each solution's card by its id: a repository path such as ".../solution-122" holds
    # "solution-1" too.
    html = client.get(SHOWCASE + "?only=tests").content.decode()
    assert f'id="solution-{tested.pk}"' in html and f'id="solution-{solution.pk}"' not in html
    html = client.get(SHOWCASE + "?only=demo").content.decode()
    assert f'id="solution-{demo.pk}"' in html and f'id="solution-{tested.pk}"' not in html
    assert client.get(SHOWCASE + "?only=nonsense").status_code == 200


def test_showcase_queries_are_pinned_and_equal_at_1x_and_10x(project, fan) -> None:
    def count(n: int) -> int:
        for _ in range(n):
            solution = with_evidence(make_solution(old_user(), project), "tests")
            like_from(solution, 1)
        client = page_client_for(fan)
        client.get(SHOWCASE)  # the header's cached counts filled
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SHOWCASE).status_code == 200
        return len(captured)

    one = count(1)
    ten = count(9)  # ten solutions now
    # the session with its user, project, the page's count, the header's "My plan" (latest
    # enrolment), the rows, their evidence (one query for all of them)
    assert one == ten == 6


def test_a_like_with_htmx_swaps_the_control_and_without_it_comes_back(solution, fan) -> None:
    client = page_client_for(fan)
    url = f"/solutions/{solution.pk}/like/"
    swapped = client.post(url, {"value": "1"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert b'aria-pressed="true"' in swapped.content and b"1</span> like" in swapped.content
    plain = client.post(url, {"value": "0", "next": SHOWCASE})
    assert (plain.status_code, plain["Location"]) == (302, SHOWCASE)
    assert not Like.objects.exists()


def test_a_like_on_ones_own_solution_is_refused_with_a_page(solution, author) -> None:
    response = page_client_for(author).post(f"/solutions/{solution.pk}/like/", {"value": "1"})
    assert response.status_code == 403
    assert not Like.objects.exists()


def test_a_peer_reviews_by_name_and_the_author_replies(solution, peer, author) -> None:
    url = f"/solutions/{solution.pk}/reviews/"
    response = page_client_for(peer).post(url, {"body": "Add a <script>x</script>**CI**."})
    assert response.status_code == 302
    review = Review.objects.get()
    reply = page_client_for(author).post(f"/reviews/{review.pk}/reply/", {"body": "Added."})
    assert reply.status_code == 302
    html = page_client_for(None).get(url).content.decode()
    assert "Petra" in html and "<strong>CI</strong>" in html and "<script>" not in html
    assert "Alan replied" in html and "Added." in html


def test_a_refused_review_keeps_the_text_and_says_why(solution, fan) -> None:
    response = page_client_for(fan).post(
        f"/solutions/{solution.pk}/reviews/", {"body": "My careful words."}
    )
    assert response.status_code == 403
    assert b"My careful words." in response.content
    assert b"finished the same project" in response.content
    assert not Review.objects.exists()


def test_a_flag_form_needs_a_note_for_other_and_keeps_it(solution, fan) -> None:
    url = f"/solutions/{solution.pk}/flag/"
    client = page_client_for(fan)
    refused = client.post(url, {"reason": "other", "note": ""})
    assert refused.status_code == 400 and not Flag.objects.exists()
    assert client.post(url, {"reason": "insecure", "note": "Keys in the repo."}).status_code == 302
    assert Flag.objects.get().reason == "insecure"


def test_the_review_queue_page_lists_reviewers_first(project, solution, author, peer) -> None:
    services.review_request(user=author, solution=solution)
    giver_solution = Solution.objects.get(learner=peer)
    services.review_create(user=peer, solution=solution, body="Reviewed.")
    services.review_request(user=peer, solution=giver_solution)
    services.review_request(user=author, solution=solution)
    html = (
        page_client_for(None)
        .get("/roadmaps/ml-engineer/projects/fraud-api/review-queue/")
        .content.decode()
    )
    assert html.index("Petra's solution") < html.index("Alan's solution")


def test_a_visitor_sees_no_like_button_and_must_sign_in_to_like(solution) -> None:
    client = page_client_for(None)
    assert b"Like<span" not in client.get(f"/solutions/{solution.pk}/reviews/").content
    assert client.post(f"/solutions/{solution.pk}/like/", {"value": "1"}).status_code == 302
    assert UserFactory and not Like.objects.exists()
