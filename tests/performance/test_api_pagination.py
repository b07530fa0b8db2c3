"""Every API list is paginated by the house's class (roadmap_site/pagination.py): the page
size defaults to limits.PAGE_SIZE, `?page_size=` is bounded by limits.API_PAGE_SIZE and out of
bounds is a 400 with the limit's message, and the schema states the bounds."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.request import Request

from roadmap_site.errors import Invalid
from roadmap_site.limits import API_PAGE_SIZE, PAGE_SIZE, SEARCH_PAGE_SIZE
from roadmap_site.pagination import HousePagination
from tests.support.query_counts import PAGES, count_queries, seed_scale

pytestmark = pytest.mark.django_db

# The paginated lists among the measured pages (the queue, a plan and a progress summary are
# documents with bounded lists, not pages).
LISTS = [
    page
    for page in PAGES
    if page.name.startswith("api ") and not page.name.startswith(("api queue", "api p"))
]


# What a list's answer carries beside the house envelope, by list: search says how many rows
# each kind has, and what it suggests when nothing matched (docs/search.md).
ENVELOPE = {"count", "next", "previous", "results"}
EXTRA_KEYS = {"api search": {"counts", "suggestions", "fuzzy"}}
# A list whose page is shorter by default than the house's (a search answer is read, not
# paged through); `?page_size=` is bounded by API_PAGE_SIZE all the same.
DEFAULT_SIZE = {"api search": SEARCH_PAGE_SIZE}


@pytest.fixture
def site():
    return seed_scale(1)


def _client(site, who: str) -> Client:
    client = Client()
    person = {"learner": site.learner, "moderator": site.moderator}.get(who)
    if person is not None:
        client.force_login(person)
    return client


def _path(site, page, query: str) -> str:
    path = page.path.format(**site.__dict__)
    return f"{path}{'&' if '?' in path else '?'}{query}"


def test_the_lists_are_the_expected_ones() -> None:
    assert [page.name for page in LISTS] == [
        "api roadmaps",
        "api resources",
        "api modlog",
        "api search",
        "api submissions (learner)",
        "api checkins (learner)",
        "api resource checks (moderator)",
        "api topic revisions (moderator)",
    ]


@pytest.mark.parametrize("page", LISTS, ids=[page.name for page in LISTS])
def test_every_list_is_paginated_and_honours_page_size(site, page) -> None:
    client = _client(site, page.who)
    body = client.get(_path(site, page, "")).json()
    assert set(body) == ENVELOPE | EXTRA_KEYS.get(page.name, set())
    assert len(body["results"]) == min(body["count"], DEFAULT_SIZE.get(page.name, PAGE_SIZE))
    one = client.get(_path(site, page, "page_size=1")).json()
    assert len(one["results"]) == min(1, body["count"])
    if body["count"] > 1:
        assert "page_size=1" in one["next"] and "page=2" in one["next"]
    assert one["count"] == body["count"]


@pytest.mark.parametrize("page", LISTS, ids=[page.name for page in LISTS])
def test_one_row_and_a_full_page_cost_the_same_queries(site, page) -> None:
    client = _client(site, page.who)
    small = count_queries(client, _path(site, page, "page_size=1"))
    full = count_queries(client, _path(site, page, f"page_size={API_PAGE_SIZE.max}"))
    assert small == full


@pytest.mark.parametrize("given", ["0", str(API_PAGE_SIZE.max + 1), "ten", "-1", "1.5", "²"])
def test_a_page_size_out_of_bounds_is_refused_with_the_limits_message(given: str) -> None:
    response = Client().get("/api/v1/modlog/", {"page_size": given})
    assert response.status_code == 400
    assert response.json()["page_size"] == [API_PAGE_SIZE.message()]


def test_the_schema_states_the_page_size_bounds(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    listed = 0
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] == "page_size":
                listed += 1
                assert parameter["schema"]["minimum"] == API_PAGE_SIZE.min, path
                assert parameter["schema"]["maximum"] == API_PAGE_SIZE.max, path
    assert listed >= len(LISTS)


@given(st.text(max_size=30))
def test_any_page_size_text_is_a_size_in_bounds_or_the_limits_refusal(text: str) -> None:
    request = Request(RequestFactory().get("/", {"page_size": text}))
    try:
        size = HousePagination().get_page_size(request)
    except Invalid as refusal:
        assert refusal.fields == {"page_size": [API_PAGE_SIZE.message()]}
    else:
        assert API_PAGE_SIZE.contains(size)
        assert size == (int(text) if text else PAGE_SIZE)


# -- every list in the schema, and the showcase's lists

# Every GET whose answer is a list of rows, as the schema names it. A new list endpoint that is
# paginated must be added here (and measured below or in LISTS); one that is not fails the test
# after this one.
PAGINATED_PATHS = {
    "/api/v1/roadmaps/",
    "/api/v1/resources/",
    "/api/v1/modlog/",
    "/api/v1/submissions/",
    "/api/v1/me/checkins/{roadmap}/",
    "/api/v1/resources/{id}/checks/",
    "/api/v1/roadmaps/{slug}/topics/{topic}/revisions/",
    "/api/v1/solutions/",
    "/api/v1/solutions/{id}/reviews/",
    "/api/v1/roadmaps/{slug}/projects/{project}/showcase/",
    "/api/v1/roadmaps/{slug}/projects/{project}/review-queue/",
    "/api/v1/search/",
    "/api/v1/moderation/flags/",
}


def _get_answers(schema: dict) -> dict[str, dict]:
    answers = {}
    for path, operations in schema["paths"].items():
        content = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        for media in content.values():
            answers[path] = media["schema"]
    return answers


def test_no_endpoint_answers_a_bare_list_and_every_paginated_one_is_measured(
    client: Client,
) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    paginated = set()
    for path, answer in _get_answers(schema).items():
        assert answer.get("type") != "array", f"{path} answers a bare list, not a page"
        name = answer.get("$ref", "").rsplit("/", 1)[-1]
        if name and {"count", "next", "previous", "results"} <= set(
            components[name].get("properties", {})
        ):
            paginated.add(path)
    assert paginated == PAGINATED_PATHS


SHOWCASE = "/api/v1/roadmaps/ml-engineer/projects/fraud-api"
ROWS = 6


@pytest.fixture
def showcase(roadmap):
    """A project with ROWS solutions by different learners, each with evidence, a like, an
    open review request and, on the first, ROWS reviews."""
    from apps.showcase.models import Like, Review, ReviewRequest
    from tests.factories import ProjectFactory
    from tests.support.showcase import make_solution, old_user, with_evidence

    project = ProjectFactory(roadmap=roadmap, slug="fraud-api", title="Fraud-detection API")
    learners = [old_user(username=f"learner{n}") for n in range(ROWS)]
    solutions = [
        with_evidence(make_solution(learner, project), "tests", "demo") for learner in learners
    ]
    fan = old_user(username="fan")
    Like.objects.bulk_create(Like(solution=solution, user=fan) for solution in solutions)
    ReviewRequest.objects.bulk_create(ReviewRequest(solution=solution) for solution in solutions)
    Review.objects.bulk_create(
        Review(solution=solutions[0], reviewer=learner, body_md=f"Review {n}.")
        for n, learner in enumerate([*learners[1:], fan])
    )
    return solutions


SHOWCASE_LISTS = {
    # name: (path, pinned queries for any page: the project or solution, the count, the rows,
    # and what each list reads beside them)
    "showcase": (f"{SHOWCASE}/showcase/", 4),
    "reviews": ("/api/v1/solutions/{first}/reviews/", 3),
    "review queue": (f"{SHOWCASE}/review-queue/", 4),
    # the project, the count, the rows and their topics, evidence and requirements
    "solutions": ("/api/v1/solutions/?roadmap=ml-engineer&project=fraud-api", 6),
}


@pytest.mark.parametrize("name", sorted(SHOWCASE_LISTS))
def test_the_showcase_lists_are_paginated_with_pinned_queries(showcase, name) -> None:
    path, pinned = SHOWCASE_LISTS[name]
    path = path.format(first=showcase[0].pk)
    client = Client()
    body = client.get(path).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == ROWS and len(body["results"]) == ROWS
    joiner = "&" if "?" in path else "?"
    one = client.get(f"{path}{joiner}page_size=1").json()
    assert len(one["results"]) == 1 and one["count"] == ROWS
    assert "page_size=1" in one["next"] and "page=2" in one["next"]
    last = client.get(f"{path}{joiner}page_size=1&page={ROWS}").json()
    assert last["next"] is None and len(last["results"]) == 1
    assert last["results"][0] not in one["results"]
    small = count_queries(client, f"{path}{joiner}page_size=1")
    full = count_queries(client, f"{path}{joiner}page_size={API_PAGE_SIZE.max}")
    assert small == full == pinned
    refused = client.get(f"{path}{joiner}page_size={API_PAGE_SIZE.max + 1}")
    assert refused.status_code == 400
    assert refused.json()["page_size"] == [API_PAGE_SIZE.message()]


def test_the_open_flags_are_paginated_with_pinned_queries(showcase, moderator) -> None:
    """The moderators' list of open flags (one on each solution and one on a review): the same
    queries for one row and a full page."""
    from apps.showcase.models import Review
    from tests.factories import FlagFactory

    for solution in showcase:
        FlagFactory(solution=solution)
    FlagFactory(solution=None, review=Review.objects.first())
    client = Client()
    client.force_login(moderator)
    path = "/api/v1/moderation/flags/"
    body = client.get(path).json()
    assert set(body) == ENVELOPE and body["count"] == ROWS + 1
    one = client.get(f"{path}?page_size=1").json()
    assert len(one["results"]) == 1 and "page=2" in one["next"]
    small = count_queries(client, f"{path}?page_size=1")
    full = count_queries(client, f"{path}?page_size={API_PAGE_SIZE.max}")
    # the session with its user and role (IsModerator reads it), the count and the page
    assert small == full == 3
