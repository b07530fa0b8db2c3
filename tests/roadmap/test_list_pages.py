"""The projects and FAQ pages list their entries a page at a time (issue 18): every entry is
on exactly one page, the seed's short lists fit one page with no pagination, and no page number
can make them fail."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roadmap_site import limits
from tests.factories import FAQFactory, ProjectFactory, RoadmapFactory

pytestmark = pytest.mark.django_db
TOTAL = 2 * limits.PAGE_ROWS + 3  # three pages, the last one short
PAGES = 3


@pytest.fixture
def long_lists() -> None:
    roadmap = RoadmapFactory(slug="long", title="Long")
    for n in range(TOTAL):
        ProjectFactory(roadmap=roadmap, slug=f"p-{n:03}", title=f"P {n:03}", order=TOTAL - n)
        FAQFactory(roadmap=roadmap, question=f"Q {n:03}?", order=n)
    ProjectFactory(roadmap=roadmap, slug="gone", order=0, retired_at="2026-01-01T00:00Z")


def _projects(html: str) -> list[str]:
    return re.findall(r'<h2 id="project-([\w-]+)">', html)


def _questions(html: str) -> list[str]:
    return re.findall(r"<dt id=\"faq-\d+\">(Q \d+)\?</dt>", html)


@pytest.mark.parametrize(
    ("path", "entries", "expected"),
    [
        # projects by their order: the last made comes first; the retired one never shows
        ("projects", _projects, [f"p-{n:03}" for n in reversed(range(TOTAL))]),
        ("faq", _questions, [f"Q {n:03}" for n in range(TOTAL)]),
    ],
)
def test_every_entry_is_on_one_page(long_lists, path, entries, expected) -> None:
    client, seen = Client(), []
    for number in range(1, PAGES + 1):
        html = client.get(f"/roadmaps/long/{path}/?page={number}").content.decode()
        found = entries(html)
        assert len(found) == (limits.PAGE_ROWS if number < PAGES else 3)
        assert f"Page {number} of {PAGES}" in html
        assert ('rel="next"' in html) == (number < PAGES)
        seen += found
    assert seen == expected


@pytest.mark.parametrize("path", ["projects", "faq"])
@pytest.mark.parametrize("page", ["0", "-1", "x", "", "1.5", "99999999999999999999999"])
def test_a_bad_page_number_never_fails(long_lists, path, page) -> None:
    response = Client().get(f"/roadmaps/long/{path}/?page={page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(_projects(html) if path == "projects" else _questions(html)) > 0


@pytest.mark.parametrize("path", ["projects", "faq"])
def test_the_seeds_short_lists_fit_one_page(seed, path) -> None:
    html = Client().get(f"/roadmaps/{seed.slug}/{path}/").content.decode()
    assert 'class="pagination"' not in html
    assert len(_projects(html) if path == "projects" else re.findall("<dt id=", html)) > 0


@pytest.mark.parametrize(("path", "expected"), [("projects", 5), ("faq", 4)])
def test_a_page_costs_the_same_whatever_the_lists_length(long_lists, seed, path, expected):
    """The pages' version, the roadmap, the count, the page's rows (and for projects their
    topics): the same for the seed's few entries and for page 2 of the long lists."""
    counts = []
    for url in (f"/roadmaps/long/{path}/?page=2", f"/roadmaps/{seed.slug}/{path}/"):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        counts.append(len(queries))
    assert counts == [expected, expected]


@pytest.mark.parametrize("path", ["projects", "faq"])
def test_an_unknown_roadmap_is_404(path) -> None:
    assert Client().get(f"/roadmaps/nope/{path}/?page=2").status_code == 404
