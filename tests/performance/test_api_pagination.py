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
from roadmap_site.limits import API_PAGE_SIZE, PAGE_SIZE
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
        "api submissions (learner)",
        "api checkins (learner)",
        "api resource checks (moderator)",
        "api topic revisions (moderator)",
    ]


@pytest.mark.parametrize("page", LISTS, ids=[page.name for page in LISTS])
def test_every_list_is_paginated_and_honours_page_size(site, page) -> None:
    client = _client(site, page.who)
    body = client.get(_path(site, page, "")).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == min(body["count"], PAGE_SIZE)
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
