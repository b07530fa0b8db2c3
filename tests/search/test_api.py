"""GET /api/v1/search/: the house envelope and errors, anonymous and signed in, in the schema."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.search.services import index_roadmap
from roadmap_site.limits import API_PAGE_SIZE, SEARCH_PAGE, SEARCH_QUERY
from tests.factories import ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"


@pytest.fixture
def indexed(roadmap, topic):
    for n in range(3):
        TopicFactory(roadmap=roadmap, title=f"Monitoring part {n}", body_md="Drift alerts.")
    ResourceFactory(roadmap=roadmap, topic=topic, title="Monitoring <b>guide</b>")
    index_roadmap(roadmap)


def test_an_anonymous_search_answers_the_house_envelope(client: Client, indexed, topic) -> None:
    response = client.get(URL, {"q": "monitoring"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and body["next"] is None and body["previous"] is None
    assert body["counts"] == {"topic": 3, "resource": 1, "project": 0, "solution": 0,
                              "faq": 0, "phase": 0}  # fmt: skip
    assert body["suggestions"] == [] and body["fuzzy"] is False
    resource = next(hit for hit in body["results"] if hit["kind"] == "resource")
    assert resource["title"] == "Monitoring <b>guide</b>"  # plain text: the page escapes it
    assert resource["topic_id"] == topic.pk and resource["phase_title"] == "Foundations"
    assert set(resource) == {"kind", "title", "url", "snippet", "phase_title", "topic_id",
                             "score"}  # fmt: skip


def test_pages_link_to_each_other_and_a_kind_narrows(client: Client, indexed) -> None:
    first = client.get(URL, {"q": "monitoring", "kind": "topic", "page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert "page=" not in second["previous"] and "kind=topic" in second["previous"]
    assert second["counts"]["resource"] == 1  # the counts cover every kind


def test_signed_in_the_answer_is_the_same(client: Client, indexed, learner) -> None:
    anonymous = client.get(URL, {"q": "drift"}).json()
    client.force_login(learner)
    assert client.get(URL, {"q": "drift"}).json() == anonymous


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"q": "x", "kind": "article"}, "kind", None),
        ({"q": "x", "page": "0"}, "page", SEARCH_PAGE.message()),
        ({"q": "x", "page": str(SEARCH_PAGE.max + 1)}, "page", SEARCH_PAGE.message()),
        ({"q": "x", "page": "two"}, "page", SEARCH_PAGE.message()),
        ({"q": "x" * (SEARCH_QUERY.max + 1)}, "q", SEARCH_QUERY.message()),
        ({"q": "x", "page_size": "0"}, "page_size", API_PAGE_SIZE.message()),
        ({"q": "x", "page_size": "ten"}, "page_size", API_PAGE_SIZE.message()),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(client: Client, query, field, message) -> None:
    response = client.get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert field in body
    if message:
        assert body[field] == [message]


def test_a_page_past_the_last_is_a_404_and_blank_is_empty(client: Client, indexed) -> None:
    response = client.get(URL, {"q": "monitoring", "page": "2"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    for query in ({}, {"q": ""}, {"q": "   "}, {"q": "-monitoring"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert response.json()["count"] == 0 and response.json()["results"] == []


def test_the_schema_describes_the_search(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"][URL]["get"]
    assert operation["tags"] == ["search"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["q"]["maxLength"] == SEARCH_QUERY.max
    assert parameters["kind"]["enum"] == ["topic", "resource", "project", "solution", "faq",
                                          "phase"]  # fmt: skip
    assert (parameters["page"]["minimum"], parameters["page"]["maximum"]) == (1, 500)
    bounds = (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"])
    assert bounds == (API_PAGE_SIZE.min, API_PAGE_SIZE.max)
    assert {"200", "400", "404"} <= set(operation["responses"])
