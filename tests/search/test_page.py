"""The search page (/search/): grouped by kind with counts, kind tabs, pages, the learner's
statuses, marked and escaped matches, the empty, no-result and refused states."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.progress.models import TopicProgress
from apps.search.services import index_roadmap
from roadmap_site.limits import SEARCH_PAGE_SIZE, SEARCH_QUERY
from tests.factories import (
    FAQFactory,
    PhaseGoalFactory,
    ProjectFactory,
    SolutionFactory,
    TopicFactory,
    TopicProgressFactory,
    UserFactory,
    resource,
)

pytestmark = pytest.mark.django_db
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def content(roadmap, phase, topic):
    """Something of every kind that says "pipeline", and a topic with a hostile title."""
    pipelines = TopicFactory(
        roadmap=roadmap,
        section=topic.section,
        phase=phase,
        slug="pipelines",
        title="Data pipelines",
        body_md="Build a pipeline that trains a model.",
        order=2,
    )
    hostile = TopicFactory(
        roadmap=roadmap,
        section=topic.section,
        phase=None,
        slug="hostile",
        title=f"Pipeline {HOSTILE} tricks",
        body_md=f"A pipeline snippet with {HOSTILE} in it & more.",
        order=3,
    )
    guide = resource(
        roadmap, pipelines, title="Pipeline guide", url="https://docs.example/pipeline"
    )
    project = ProjectFactory(
        roadmap=roadmap, slug="pipe-project", title="Ship a pipeline", description_md="Ship it."
    )
    solution = SolutionFactory(project=project, write_up_md="My pipeline, in detail.")
    faq = FAQFactory(roadmap=roadmap, question="Which pipeline tool?", answer_md="Any pipeline.")
    PhaseGoalFactory(phase=phase, text="Build your first pipeline")
    index_roadmap(roadmap)
    return {
        "pipelines": pipelines,
        "hostile": hostile,
        "guide": guide,
        "project": project,
        "solution": solution,
        "faq": faq,
    }


def get(client: Client, query: str = "", status: int = 200, **params: str):
    response = client.get("/search/", {"q": query, **params} if query or params else {})
    assert response.status_code == status, response.content.decode()[:2000]
    return response, response.content.decode()


def group_headings(body: str) -> list[str]:
    return re.findall(r'<h2 id="search-group-([a-z]+)">', body)


def test_results_are_grouped_by_kind_in_order_with_counts(client, content) -> None:
    _, body = get(client, "pipeline")
    assert group_headings(body) == ["topic", "resource", "project", "solution", "faq", "phase"]
    assert re.search(r"Topics <span class=\"muted\">\(2\)</span>", body)
    assert 'href="/roadmaps/ml-engineer/topics/pipelines/"' in body
    assert f'href="/roadmaps/ml-engineer/topics/pipelines/#resource-{content["guide"].pk}"' in body
    # the topic's phase beside it, and the word marked in the title
    assert "<span>Phase: Foundations</span>" in body
    assert "Data <mark>pipelines</mark>" in body
    # the tabs: everything and each kind, with their counts, the current one marked
    assert re.search(r'aria-current="page">Everything <span class="badge">7', body)
    assert 'href="/search/?q=pipeline&amp;kind=faq">Questions <span class="badge">1' in body


def test_a_kind_keeps_to_that_kind_and_the_tabs_still_count_the_others(client, content) -> None:
    _, body = get(client, "pipeline", kind="resource")
    assert group_headings(body) == ["resource"]
    assert "Pipeline guide" not in body.split('id="search-group-resource"')[0].split("<main")[1]
    assert re.search(r'kind=resource" aria-current="page">Resources <span class="badge">1', body)
    assert re.search(r'kind=topic">Topics <span class="badge">2', body)


def test_the_hostile_title_and_snippet_are_escaped(client, content) -> None:
    _, body = get(client, "pipeline")
    main = body.split('<main id="main">')[1]
    assert "<img" not in main
    assert "&lt;img src=x onerror=alert(1)&gt;" in main
    assert "<mark>Pipeline</mark> &lt;img src=x onerror=alert(1)&gt; tricks" in main
    assert "&amp; more" in main


def test_a_learners_status_is_shown_in_one_query_and_a_visitor_sees_none(
    client, learner, content
) -> None:
    TopicProgressFactory(user=learner, topic=content["pipelines"], status="done")
    TopicProgressFactory(user=learner, topic=content["hostile"], status="in_progress")
    _, anonymous = get(client, "pipeline")
    assert "status-label" not in anonymous
    client.force_login(learner)
    with CaptureQueriesContext(connection) as queries:
        _, body = get(client, "pipeline")
    progress = [q for q in queries.captured_queries if "progress_topicprogress" in q["sql"]]
    assert len(progress) == 1
    # the topic and its resource carry the learner's status on that topic
    assert body.count('status-label status-label--done"') == 2
    assert body.count('status-label status-label--in_progress"') == 1
    assert "Your status: Done" in body
    # another learner's rows are not theirs
    other = UserFactory()
    TopicProgress.objects.filter(user=learner).update(user=other)
    _, body = get(client, "pipeline")
    assert "status-label" not in body


def test_pages_of_results_link_to_each_other_keeping_the_search(client, roadmap, topic) -> None:
    for n in range(SEARCH_PAGE_SIZE + 3):
        TopicFactory(roadmap=roadmap, section=topic.section, title=f"Pipeline {n}", order=10 + n)
    index_roadmap(roadmap)
    _, first = get(client, "pipeline", kind="topic")
    assert f"{SEARCH_PAGE_SIZE + 3} results among topics, page 1 of 2." in first
    assert 'href="/search/?q=pipeline&amp;kind=topic&amp;page=2" rel="next"' in first
    assert first.count('class="search-hit"') == SEARCH_PAGE_SIZE
    _, second = get(client, "pipeline", kind="topic", page="2")
    assert second.count('class="search-hit"') == 3
    assert 'href="/search/?q=pipeline&amp;kind=topic" rel="prev"' in second
    # past the last page: said so, with the way back, no 500
    _, past = get(client, "pipeline", status=404, kind="topic", page="3")
    assert "There is no page 3 of results" in past
    assert 'href="/search/?q=pipeline&amp;kind=topic">See the first page' in past


def test_no_query_explains_what_to_search_with_examples(client, content) -> None:
    _, body = get(client)
    assert "<h1>Search the roadmap</h1>" in body
    assert 'href="?q=%22feature%20store%22"' in body
    assert "<code>-video</code>" in body
    assert "topics, resources, projects, solutions, questions, phases" in body
    assert "search-hit" not in body


def test_no_results_say_so_with_tips_and_the_way_out_of_a_kind(client, content) -> None:
    _, body = get(client, "zeppelin quokka")
    assert "Nothing matches “zeppelin quokka”." in body
    assert "Kinds of result" not in body  # no row of tabs that all say 0
    assert "check the spelling" in body
    _, body = get(client, "trains", kind="faq")
    assert "Nothing among questions matches “trains”." in body
    way_out = 'href="/search/?q=trains">search everything</a>, not only questions (1 result there)'
    assert way_out in body
    _, body = get(client, "-pipeline")
    assert "only leaves words out" in body


@pytest.mark.usefixtures("postgres_only")
def test_a_typo_is_answered_with_the_closest_titles_and_a_did_you_mean_link(
    client, roadmap, topic
) -> None:
    TopicFactory(roadmap=roadmap, section=topic.section, title="Orchestration", order=5)
    index_roadmap(roadmap)
    _, body = get(client, "orchestraton")
    assert "Nothing has these words exactly. These titles are the closest." in body
    assert 'Did you mean <a href="/search/?q=orchestration">orchestration</a>?' in body
    assert group_headings(body) == ["topic"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * (SEARCH_QUERY.max + 1)}, SEARCH_QUERY.message()),
        ({"q": "pipeline", "kind": "video"}, "Show can only be everything, or one of: topics"),
        ({"q": "pipeline", "page": "0"}, "The page must be from 1 to 500."),
        ({"q": "pipeline", "page": "two"}, "The page must be from 1 to 500."),
        ({"q": "pipeline", "page": "9" * 5000}, "The page must be from 1 to 500."),
    ],
)
def test_what_cannot_be_read_is_a_clear_400_that_searches_nothing(
    client, content, params, message
) -> None:
    response = client.get("/search/", params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error: " in body
    assert 'class="error-summary"' in body
    assert message.replace("“", "") in body
    assert "search-hit" not in body


def test_the_header_has_the_search_box_on_every_page(client, content) -> None:
    body = client.get("/roadmaps/ml-engineer/").content.decode()
    form = re.search(r'<form class="site-search" role="search"[^>]*>.*?</form>', body, re.S)
    assert form is not None and 'aria-label="Find"' in form.group()
    assert form is not None
    assert 'method="get" action="/search/"' in form.group()
    assert '<label class="visually-hidden" for="site-search">Search the roadmap</label>' in (
        form.group()
    )
    assert 'name="q"' in form.group() and "csrf" not in form.group()
    assert '<script src="/static/js/search.js" defer></script>' in body


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=SEARCH_QUERY.max + 5),
    kind=st.sampled_from(["", "topic", "faq", "nope"]),
    page=st.sampled_from(["", "1", "2", "-1", "x"]),
)
def test_any_query_gets_a_page_never_a_500(client, content, q: str, kind: str, page: str) -> None:
    q = q.replace("\x00", "")  # NUL is refused before any view (roadmap_site/error_views.py)
    response = client.get("/search/", {"q": q, "kind": kind, "page": page})
    assert response.status_code in (200, 400, 404)
    assert b"<h1>" in response.content


def test_the_header_box_keeps_the_public_pages_cached_and_the_results_are_not(
    client, content
) -> None:
    first = client.get("/roadmaps/ml-engineer/")
    assert first["Cache-Control"].startswith("public")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/roadmaps/ml-engineer/")
    assert len(queries) == 1  # the pages' version: the cached copy, header box and all
    assert b'<form class="site-search" role="search"' in again.content
    # The results page is never stored (apps/search/views.py says why).
    answer = client.get("/search/", {"q": "pipeline"})
    assert answer["Cache-Control"] == "private, no-store"
