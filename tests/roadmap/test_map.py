"""The roadmap page's map as anyone sees it: weeks across, sections as lanes, every active
topic once in its week(s), no statuses, plain links without JavaScript, a fixed query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.roadmap.models import Topic
from tests.support.map_page import assert_map_bounded, read_map

pytestmark = pytest.mark.django_db

PAGE = "/roadmaps/ml-engineer/"


def map_of(client: Client, url: str = PAGE):
    response = client.get(url)
    assert response.status_code == 200
    return read_map(response.content.decode())


def test_the_map_has_a_lane_per_section_and_each_topic_once_in_its_week(seed, client) -> None:
    table = map_of(client)
    sections = list(seed.sections.order_by("number"))
    assert table.lanes == [f"{s.number}. {s.title}" for s in sections]
    assert table.weeks == [f"Week {n}" for n in range(1, 17)]
    placed = {}
    for lane, column, node in table.linked():
        assert node.slug not in placed, node.slug
        placed[node.slug] = (lane, column + 1)
    topics = Topic.objects.active().filter(roadmap=seed).select_related("section", "phase")
    assert set(placed) == {t.slug for t in topics}
    for topic in topics:
        lane, week = placed[topic.slug]
        assert table.lanes[lane].startswith(f"{topic.section.number}. "), topic.slug
        assert topic.phase.week_start <= week <= topic.phase.week_end, topic.slug
    # The reference plan at 10 hours a week: phase 1's week 1 holds topics 1, 3 and 5 (10 h),
    # Algorithms (10 h) fills week 2; phase 2 starts in week 5.
    assert placed["ml-in-research-vs-production"] == (0, 1)
    assert placed["soft-skills-for-ml-engineers"] == (0, 1)
    assert placed["algorithms"] == (1, 2)
    assert placed["version-control"] == (5, 4)
    assert placed["data-engineering"] == (0, 5)
    # Nothing crosses a week's end in the seed: no node continues anywhere.
    assert all(node.linked for row in table.cells for cell in row for node in cell)


def test_a_topic_crossing_a_weeks_end_is_a_link_once_and_continues_after(seed, client) -> None:
    # Frameworks grows from 6 to 8 hours: Hyperparameter Tuning (4 h) now starts with 2 hours
    # left in week 3 and ends in week 4.
    Topic.objects.filter(roadmap=seed, slug="frameworks").update(est_hours=8)
    table = map_of(client)
    lane = next(i for i, name in enumerate(table.lanes) if name.startswith("2. "))
    week_3, week_4 = table.cells[lane][2], table.cells[lane][3]
    tuning = [node for node in week_3 if node.slug == "hyperparameter-tuning"]
    assert len(tuning) == 1 and tuning[0].linked
    assert "4 h · weeks 3–4" in tuning[0].text
    carried = [node for node in week_4 if node.slug == "hyperparameter-tuning"]
    assert len(carried) == 1 and not carried[0].linked and carried[0].href == ""
    assert "continued · 2 h this week" in carried[0].text
    assert sum(node.slug == "hyperparameter-tuning" for _, _, node in table.linked()) == 1


def test_on_phones_the_same_topics_are_listed_by_week(seed, client) -> None:
    table = map_of(client)
    assert table.list_weeks == table.weeks
    listed = [node.slug for nodes in table.list_nodes for node in nodes if node.linked]
    assert sorted(listed) == sorted(node.slug for _, _, node in table.linked())
    assert len(listed) == len(set(listed)) == 38
    listed_week = {n.slug: i for i, nodes in enumerate(table.list_nodes) for n in nodes}
    assert listed_week == {node.slug: column for _, column, node in table.linked()}


def test_anonymous_visitors_see_the_map_without_statuses(seed, client) -> None:
    page = client.get(PAGE).content.decode()
    table = read_map(page)
    nodes = [node for row in table.cells for cell in row for node in cell]
    assert nodes and {node.state for node in nodes} == {"plain"}
    assert not any("Not started" in node.text or "Done" in node.text for node in nodes)
    assert "Key to the statuses" not in page and "this week" not in page
    assert '<h2 id="map-title">The map</h2>' in page


def test_without_javascript_each_node_is_a_link_to_its_topic_page(seed, client) -> None:
    for _, _, node in read_map(client.get(PAGE).content.decode()).linked():
        assert node.href == f"/roadmaps/ml-engineer/topics/{node.slug}/"
        assert node.panel == f"/roadmaps/ml-engineer/topics/{node.slug}/panel/"
    algorithms = client.get("/roadmaps/ml-engineer/topics/algorithms/")
    assert b"<h1>Algorithms</h1>" in algorithms.content
    # The panel asked for as a page (no htmx) is the topic page.
    response = client.get("/roadmaps/ml-engineer/topics/algorithms/panel/")
    assert response.status_code == 302
    assert response["Location"] == "/roadmaps/ml-engineer/topics/algorithms/"


def test_the_map_keeps_to_the_content_security_policy(seed, client) -> None:
    page = client.get(PAGE).content.decode()
    section = page[page.index('<section id="map"') : page.index("</dialog>")]
    assert "style=" not in section and "<style" not in section and "hx-on" not in section
    assert '<script src="/static/js/map.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/static/css/map.css">' in page


def test_the_panel_for_anyone_reads_about_the_topic_and_offers_sign_in(seed, client) -> None:
    response = client.get("/roadmaps/ml-engineer/topics/algorithms/panel/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    panel = response.content.decode()
    assert 'id="map-panel-title"' in panel and ">Algorithms</h2>" in panel
    assert "about 10 hours" in panel and "Sign in</a> to track this topic" in panel
    assert "status-control" not in panel and "note-form" not in panel
    assert 'href="/roadmaps/ml-engineer/topics/algorithms/">Open the page of Algorithms' in panel
    assert "<html" not in panel  # a fragment, not a page


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_panel_is_read_only(seed, client, method) -> None:
    url = "/roadmaps/ml-engineer/topics/algorithms/panel/"
    assert getattr(client, method)(url, HTTP_HX_REQUEST="true").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/roadmaps/ml-engineer/topics/nope/panel/",
        "/roadmaps/nope/topics/algorithms/panel/",
    ],
)
def test_the_panel_of_unknown_content_is_404(seed, client, url) -> None:
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404


def test_a_retired_topic_is_on_no_map(seed, client) -> None:
    from django.utils import timezone

    Topic.objects.filter(roadmap=seed, slug="algorithms").update(retired_at=timezone.now())
    table = map_of(client)
    assert "algorithms" not in {node.slug for _, _, node in table.linked()}
    assert len(table.linked()) == 37
    url = "/roadmaps/ml-engineer/topics/algorithms/panel/"
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404


# The page's query count with the map, pinned at the seed's size and at ten times it: the map
# reads the topics the page has already loaded (one query, cut at ROADMAP_PAGE_MAP_TOPICS).
# As without the map; with the page cache's one query for the pages' version (as PAGE_QUERIES
# in test_views.py counts it), which came with the cached pages, not with the map. (12 while
# the page read the whole tree; 8 since it reads what it shows, issue 18.)
ANONYMOUS_PAGE_QUERIES = 8


@pytest.mark.parametrize("size", ["seed", "synthetic"])
def test_the_page_with_its_map_takes_a_fixed_number_of_queries(
    request, client, size, django_assert_max_num_queries
) -> None:
    roadmap = request.getfixturevalue(size)
    with django_assert_max_num_queries(ANONYMOUS_PAGE_QUERIES):
        response = client.get(f"/roadmaps/{roadmap.slug}/")
    table = read_map(response.content.decode())
    assert_map_bounded(table, roadmap, size)


# -- above ROADMAP_PAGE_MAP_TOPICS the map is not laid out: a summary with links (issue 18)


def map_section(html: str) -> str:
    start = html.index('<section id="map"')
    return html[start : html.index("</section>", start)]


def test_above_its_limit_the_map_is_a_summary_with_links(seed, monkeypatch) -> None:
    from roadmap_site import limits

    active = Topic.objects.active().filter(roadmap=seed).count()
    monkeypatch.setattr(limits, "ROADMAP_PAGE_MAP_TOPICS", active - 1)  # one topic too many
    with CaptureQueriesContext(connection) as queries:
        html = Client().get(PAGE).content.decode()
    section = map_section(html)
    assert 'class="map__table"' not in section and 'class="map__list"' not in section
    assert f"This roadmap has {active} topics over 16 weeks: too many to draw" in section
    assert 'href="#pathway"' in section and 'href="#sections"' in section
    # one query fewer than with the map: its topics are not read (issue 18: at 100x content,
    # reading 501 of them to find there were too many was a third of the page's time)
    assert len(queries) == ANONYMOUS_PAGE_QUERIES - 1
    # the rest of the page is as before: every section with its topics
    assert html.count('<h3 id="section-') == seed.sections.count()


def test_the_page_reads_only_the_rows_it_shows(synthetic) -> None:
    """At ten times the seed: the first sections and phases and one more, each section's
    first topics, and counts for the rest (the section page lists them all)."""
    from apps.roadmap.selectors import page_phases, page_sections, roadmap_page
    from roadmap_site import limits

    page = roadmap_page(slug=synthetic.slug)
    sections = page_sections(page)
    assert len(sections) == limits.ROADMAP_PAGE_SECTIONS + 1
    assert len(page_phases(page)) == limits.ROADMAP_PAGE_PHASES + 1
    assert page.section_count == synthetic.sections.filter(retired_at__isnull=True).count()
    assert page.phase_count == synthetic.phases.count()
    for section in sections:
        active = Topic.objects.active().filter(section=section)
        assert section.topic_count == active.count()
        assert section.hours == sum(t.est_hours or 0 for t in active)
        assert [t.pk for t in section.page_topics] == [
            t.pk for t in active.order_by("order")[: limits.ROADMAP_PAGE_TOPICS_PER_SECTION]
        ]
