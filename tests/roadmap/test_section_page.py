"""Issue 18: the roadmap page stays bounded whatever the content's size. Each list on it is cut
at its limit (roadmap_site/limits.py) with a link to where the rest are: a section's topics to
the section page (paginated), a map cell's and a map week's nodes, the general resources."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from apps.roadmap.models import Topic
from roadmap_site import limits
from tests.factories import (
    PhaseFactory,
    RoadmapFactory,
    SectionFactory,
    TopicFactory,
    resource,
)

pytestmark = pytest.mark.django_db

TOPICS_CAP = limits.ROADMAP_PAGE_TOPICS_PER_SECTION


def topic_links(html: str, slug: str) -> list[str]:
    return re.findall(rf'href="/roadmaps/{slug}/topics/([^/"]+)/"', html)


def sections_grid(html: str) -> str:
    start = html.index('id="sections"')
    return html[start : html.index("</section>\n\n", start)]


@pytest.fixture
def big_section():
    """A roadmap with one section holding more topics than the roadmap page shows, all in the
    first week of one phase (1 hour each at 10 hours a week: 10 in week 1), and a small one."""
    roadmap = RoadmapFactory(slug="big", title="Big")
    phase = PhaseFactory(roadmap=roadmap, number=1, slug="one", week_start=1, week_end=4)
    big = SectionFactory(roadmap=roadmap, number=1, slug="big", title="Big section")
    small = SectionFactory(roadmap=roadmap, number=2, slug="small", title="Small section")
    count = TOPICS_CAP + limits.PAGE_ROWS + 3  # more than the cap, and more than one page
    for n in range(count):
        TopicFactory(
            roadmap=roadmap,
            section=big,
            phase=phase,
            slug=f"big-{n:03}",
            title=f"Big {n:03}",
            est_hours=1,
            order=n + 1,
        )
    TopicFactory(roadmap=roadmap, section=small, slug="lonely", title="Lonely", order=count + 1)
    return roadmap


# -- the roadmap page


def test_a_section_longer_than_the_cap_shows_the_cap_and_links_to_its_page(big_section) -> None:
    html = Client().get("/roadmaps/big/").content.decode()
    grid = sections_grid(html)
    big = grid[: grid.index('id="section-2"')]
    assert topic_links(big, "big") == [f"big-{n:03}" for n in range(TOPICS_CAP)]
    total = TOPICS_CAP + limits.PAGE_ROWS + 3
    assert f'<a href="/roadmaps/big/sections/1/">All {total} topics in Big section</a>' in big
    small = grid[grid.index('id="section-2"') :]
    assert topic_links(small, "big") == ["lonely"]
    assert "/roadmaps/big/sections/2/" not in html  # no link where nothing is left out


def test_the_real_roadmap_shows_every_topic_and_no_more_link(seed) -> None:
    html = Client().get(f"/roadmaps/{seed.slug}/").content.decode()
    grid = sections_grid(html)
    active = Topic.objects.active().filter(roadmap=seed).order_by("order")
    assert sorted(topic_links(grid, seed.slug)) == sorted(t.slug for t in active)
    assert "/sections/" not in html
    assert "map__more" not in html
    assert "all of this roadmap's resources" not in html
    largest = max(len(s.topics.all()) for s in seed.sections.all())
    assert largest < TOPICS_CAP  # the cap is above the real roadmap's largest section


def test_a_map_cell_beyond_its_cap_says_how_many_more(big_section) -> None:
    html = Client().get("/roadmaps/big/").content.decode()
    table = html[html.index('class="map__table"') : html.index("</table>")]
    # 40 topics of the big section, 1 hour each at 10 hours a week: 4 weeks of 10 in its lane
    cap = limits.ROADMAP_PAGE_MAP_NODES_PER_CELL
    assert len(re.findall(r'id="map-node-big-\d+"', table)) == 4 * cap
    link = f'<a class="map__more" href="/roadmaps/big/sections/1/">+{10 - cap} more'
    assert table.count(link) == 4
    assert 'id="map-node-lonely"' in table


def test_a_map_week_beyond_its_cap_links_to_its_phase(big_section, monkeypatch) -> None:
    monkeypatch.setattr(limits, "ROADMAP_PAGE_MAP_NODES_PER_WEEK", 4)
    html = Client().get("/roadmaps/big/").content.decode()
    start = html.index('class="map__list"')
    listing = html[start : html.index("</ol>", start)]
    # the unplaced column (the one topic in no phase), then 4 weeks of 10, each cut at 4
    assert len(re.findall(r'id="map-item-big-\d+"', listing)) == 4 * 4
    assert listing.count('<a class="map__more" href="/roadmaps/big/phases/one/">+6 more') == 4
    assert 'id="map-item-lonely"' in listing


def test_the_map_of_the_real_roadmap_has_every_node(seed) -> None:
    html = Client().get(f"/roadmaps/{seed.slug}/").content.decode()
    active = set(Topic.objects.active().filter(roadmap=seed).values_list("slug", flat=True))
    assert set(re.findall(r'id="map-node-([^"]+)"', html)) == active
    assert set(re.findall(r'id="map-item-([^"]+)"', html)) == active


def test_general_resources_beyond_the_cap_link_to_the_api(roadmap, topic) -> None:
    cap = limits.ROADMAP_PAGE_GENERAL_RESOURCES
    for n in range(cap + 1):
        resource(roadmap, None, title=f"Book {n:03}")
    html = Client().get("/roadmaps/ml-engineer/").content.decode()
    books = html[html.index('id="books-title"') : html.index('id="contribute"')]
    assert len(re.findall(r"Book \d{3}", books)) == cap
    assert 'href="/api/v1/resources/?roadmap=ml-engineer"' in books


def test_general_resources_up_to_the_cap_are_all_listed(roadmap, topic) -> None:
    cap = limits.ROADMAP_PAGE_GENERAL_RESOURCES
    for n in range(cap):
        resource(roadmap, None, title=f"Book {n:03}")
    html = Client().get("/roadmaps/ml-engineer/").content.decode()
    books = html[html.index('id="books-title"') : html.index('id="contribute"')]
    assert len(re.findall(r"Book \d{3}", books)) == cap
    assert "/api/v1/resources/?roadmap=" not in books


# -- the section page


def test_the_section_page_lists_every_topic_of_a_real_section(seed) -> None:
    client = Client()
    for section in seed.sections.active():
        response = client.get(f"/roadmaps/{seed.slug}/sections/{section.number}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert escape(section.title) in html
        expected = section.topics.active().order_by("order").values_list("slug", flat=True)
        assert topic_links(html, seed.slug) == list(expected)
        assert 'class="pagination"' not in html


@pytest.mark.parametrize("number", ["0", "3", "999", "32768", "99999999999999999999"])
def test_a_section_number_that_is_not_there_is_404(big_section, number) -> None:
    assert Client().get(f"/roadmaps/big/sections/{number}/").status_code == 404


def test_an_unknown_roadmap_has_no_sections(big_section) -> None:
    assert Client().get("/roadmaps/nope/sections/1/").status_code == 404


def test_a_long_section_is_paginated_and_every_topic_is_on_a_page(big_section) -> None:
    client = Client()
    total = TOPICS_CAP + limits.PAGE_ROWS + 3
    pages = -(-total // limits.PAGE_ROWS)
    seen = []
    for number in range(1, pages + 1):
        html = client.get(f"/roadmaps/big/sections/1/?page={number}").content.decode()
        found = topic_links(html, "big")
        assert len(found) == (limits.PAGE_ROWS if number < pages else total - len(seen))
        seen += found
        assert f"Page {number} of {pages}" in html
    assert seen == [f"big-{n:03}" for n in range(total)]


@pytest.mark.parametrize("page", ["0", "-1", "x", "", "1.5", "99999999999999999999999"])
def test_a_bad_page_number_never_fails(big_section, page) -> None:
    response = Client().get(f"/roadmaps/big/sections/1/?page={page}")
    assert response.status_code == 200
    assert len(topic_links(response.content.decode(), "big")) > 0


def test_the_section_page_takes_a_fixed_number_of_queries(big_section, seed) -> None:
    counts = []
    for path in ("/roadmaps/big/sections/1/?page=2", f"/roadmaps/{seed.slug}/sections/1/"):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(path).status_code == 200
        counts.append(len(queries))
    # the pages' version (page cache), the section, the count, the page of topics, the next
    assert counts == [5, 5]


def test_the_next_section_is_linked_from_a_section_page(big_section) -> None:
    html = Client().get("/roadmaps/big/sections/1/").content.decode()
    assert '<a href="/roadmaps/big/sections/2/">2. Small section</a>' in html
    assert "Next section" not in Client().get("/roadmaps/big/sections/2/").content.decode()


# -- ten times the seed: sections, phases and weeks grow too (seed_synthetic)


def test_at_ten_times_the_seed_every_list_is_cut(synthetic) -> None:
    sections = synthetic.sections.count()
    phases = synthetic.phases.count()
    assert sections > limits.ROADMAP_PAGE_SECTIONS and phases > limits.ROADMAP_PAGE_PHASES
    response = Client().get(f"/roadmaps/{synthetic.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    grid = sections_grid(html)
    assert len(re.findall(r'<h3 id="section-\d+"', grid)) == limits.ROADMAP_PAGE_SECTIONS
    first_left_out = synthetic.sections.order_by("number")[limits.ROADMAP_PAGE_SECTIONS]
    assert f'/roadmaps/{synthetic.slug}/sections/{first_left_out.number}/"' in grid
    assert html.count('class="card phase-card') == limits.ROADMAP_PAGE_PHASES
    assert 'class="timeline"' not in html  # it draws every week: only for a few phases
    table = html[html.index('class="map__table"') : html.index("</table>")]
    assert table.count('<tr class="map__lane">') == limits.ROADMAP_PAGE_SECTIONS
    assert table.count('<th scope="col" class="map__week') == limits.ROADMAP_PAGE_MAP_WEEKS
    start = html.index('class="map__list"')
    listing = html[start : html.index("</ol>", start)]
    assert listing.count('class="map__list-week"') == limits.ROADMAP_PAGE_MAP_WEEKS
    assert len(response.content) < 250_000  # 767 KB before the caps
