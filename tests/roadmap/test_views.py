"""The public pages: what they show, that they need no JavaScript or inline code, query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.roadmap.models import Resource
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/roadmaps/ml-engineer/",
    "/roadmaps/ml-engineer/topics/frameworks/",
    "/roadmaps/ml-engineer/phases/{phase}/",
    "/roadmaps/ml-engineer/projects/",
    "/roadmaps/ml-engineer/faq/",
    "/roadmaps/ml-engineer/outcomes/",
]


def page_urls(seed) -> list[str]:
    phase = seed.phases.get(number=1).slug
    return [url.format(phase=phase) for url in PAGES]


def html_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_page_answers_anonymous_and_signed_in_readers(seed, client) -> None:
    for url in page_urls(seed):
        assert "Sign in" in html_of(client, url)
    client.force_login(UserFactory())
    for url in page_urls(seed):
        assert "Sign out" in html_of(client, url)


@pytest.mark.parametrize(
    "url",
    [
        "/roadmaps/nope/",
        "/roadmaps/ml-engineer/topics/nope/",
        "/roadmaps/ml-engineer/phases/nope/",
        "/roadmaps/nope/projects/",
        "/roadmaps/nope/faq/",
        "/roadmaps/nope/outcomes/",
    ],
)
def test_unknown_content_is_404(seed, client, url) -> None:
    assert client.get(url).status_code == 404


def test_pages_are_read_only(seed, client) -> None:
    assert client.post("/roadmaps/ml-engineer/").status_code == 405


def test_every_page_is_accessible_and_csp_clean(seed, client) -> None:
    for url in page_urls(seed):
        response = client.get(url)
        html = response.content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert landmark in html, (url, landmark)
        assert re.search(r"<title>[^<]+ · ML Engineer Roadmap</title>", html), url
        assert 'lang="en"' in html
        assert "style=" not in html and "<style" not in html, url
        assert not re.search(r"\shx-on", html), url
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert 'src="/static/' in attrs and not body.strip(), url
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "click here" not in html.lower()


def test_htmx_is_vendored_with_its_indicator_styles_off(seed, client) -> None:
    html = html_of(client, "/")
    assert 'src="/static/vendor/htmx/htmx.min.js"' in html
    assert '"includeIndicatorStyles": false' in html


def test_home_says_what_the_site_is_and_offers_the_roadmap(seed, client) -> None:
    html = html_of(client, "/")
    assert "Become an ML engineer" in html
    assert html.count('href="/roadmaps/ml-engineer/phases/') == 4
    assert "Start the roadmap" in html


def test_the_roadmap_page_shows_the_timeline_and_the_sections(seed, client) -> None:
    html = html_of(client, "/roadmaps/ml-engineer/")
    assert "The 16-week pathway" in html
    assert re.findall(r'class="timeline__phase span-(\d+)', html) == ["4", "4", "4", "4"]
    assert "Weeks 1–4" in html and "Weeks 13–16" in html
    assert len(re.findall(r'<section class="card" aria-labelledby="section-\d+"', html)) == 7
    # Each topic once in the section list (the map above it has its own: tests/roadmap/test_map.py)
    sections = html[html.index('<section id="sections"') :]
    assert len(re.findall(r'href="/roadmaps/ml-engineer/topics/', sections)) == 38
    assert "5 topics · 20 hours" in html  # section 1's topics and their hours
    assert re.search(r'Algorithms</a>\s*<span class="topic-list__meta">10 h · phase 1</span>', html)
    assert "Machine Learning Engineering" in html and "https://www.mlebook.com/" in html


def test_the_roadmap_page_invites_contributions(seed, client) -> None:
    html = html_of(client, "/roadmaps/ml-engineer/")
    section = re.search(r'<section id="contribute".*?</section>', html, re.S)
    assert section is not None
    text = section.group(0)
    assert "Contributions welcome" in text
    # The README's own section, from the imported contributing_md...
    assert "This is a community-driven project." in text
    assert "<strong>Add Tutorials:</strong>" in text and "<strong>Project Ideas:</strong>" in text
    # ...and the ways to contribute on this site.
    assert 'href="/roadmaps/ml-engineer/submit/"' in text  # suggest a resource
    assert "Vote" in text and "Report" in text
    assert 'href="/api/docs/"' in text and "/api/v1/roadmaps/ml-engineer/" in text
    assert 'href="#contribute"' in html  # the page's own navigation leads there


def test_a_topic_page_shows_text_key_things_and_ranked_resources(seed, client) -> None:
    Resource.objects.filter(title="PyTorch").update(editors_pick=True)
    html = html_of(client, "/roadmaps/ml-engineer/topics/data-engineering/")
    assert "Data lakes vs warehouses" in html  # a key thing
    assert "Phase 2:" in html and "about 6 hours" in html
    html = html_of(client, "/roadmaps/ml-engineer/topics/frameworks/")
    first = re.search(r'class="resource__title" href="([^"]+)"', html).group(1)
    assert first == "https://pytorch.org/"
    assert "Editor&#x27;s pick" in html or "Editor's pick" in html
    assert '<span class="resource__host">scikit-learn.org</span>' in html
    assert '<span class="badge badge--kind">Docs</span>' in html


def test_a_topic_without_resources_says_so(seed, client) -> None:
    # Every seed topic has a resource since the enrichment gave each bare one a reference:
    # take data lineage's away.
    Resource.objects.filter(topic__slug="data-lineage").update(status=Resource.Status.RETIRED)
    html = html_of(client, "/roadmaps/ml-engineer/topics/data-lineage/")
    assert "No resources for this topic yet." in html


def test_markdown_on_pages_is_sanitised(seed, client) -> None:
    seed.topics.filter(slug="frameworks").update(
        body_md='Hi <script>alert(1)</script> <a href="javascript:alert(2)">x</a>'
    )
    html = html_of(client, "/roadmaps/ml-engineer/topics/frameworks/")
    assert "<script>alert" not in html and "javascript:" not in html


def test_a_phase_page_shows_its_goals_and_four_weeks(seed, client) -> None:
    phase = seed.phases.get(number=2)
    html = html_of(client, f"/roadmaps/ml-engineer/phases/{phase.slug}/")
    assert "Automate data preprocessing with Apache Airflow." in html
    weeks = re.findall(r"<h3>Week (\d+) <span class=\"muted\">· (\d+) h</span></h3>", html)
    assert [w for w, _ in weeks] == ["5", "6", "7", "8"]
    assert all(int(h) <= 10 for _, h in weeks)


def test_projects_faq_and_outcomes_pages(seed, client) -> None:
    assert html_of(client, "/roadmaps/ml-engineer/projects/").count('<h2 id="project-') == 4
    faq = html_of(client, "/roadmaps/ml-engineer/faq/")
    assert faq.count('<dt id="faq-') == 3 and "Miniconda" in faq
    outcomes = html_of(client, "/roadmaps/ml-engineer/outcomes/")
    assert "Monitor systems for performance and drift." in outcomes


def test_an_empty_site_tells_what_to_do(db, client) -> None:
    assert "No roadmap is imported yet" in html_of(client, "/")


# --- the theme toggle ---------------------------------------------------------------------------


def test_the_theme_toggle_is_remembered_in_a_cookie(seed, client) -> None:
    response = client.post("/theme/", {"theme": "dark", "next": "/roadmaps/ml-engineer/"})
    assert response.status_code == 302 and response["Location"] == "/roadmaps/ml-engineer/"
    assert response.cookies["theme"].value == "dark"
    assert '<html lang="en" data-theme="dark">' in html_of(client, "/")
    client.post("/theme/", {"theme": "", "next": "/"})
    assert '<html lang="en">' in html_of(client, "/")


def test_the_theme_toggle_refuses_foreign_redirects_and_bad_values(seed, client) -> None:
    response = client.post("/theme/", {"theme": "neon", "next": "https://evil.invalid/"})
    assert response["Location"] == "/"
    client.cookies["theme"] = "neon"
    assert "data-theme" not in html_of(client, "/")


def test_the_theme_toggle_needs_csrf(seed) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/theme/", {"theme": "dark"}).status_code == 403


def test_both_themes_are_defined_from_the_same_tokens() -> None:
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
    assert "@media (prefers-color-scheme: dark)" in css
    assert ':root[data-theme="dark"]' in css and ':root[data-theme="light"]' in css


# --- query counts: fixed, the same at the seed's size and at ten times it ------------------------

# A visitor's first request of each page renders it; each count includes the page cache's one
# query for the pages' version (roadmap_site/page_cache.py), which is all a repeat costs.
PAGE_QUERIES = {
    "home": ("/", 4),
    # the roadmap with its counts, its first phases, their goals, its first sections, their
    # first topics, the map's topics (up to ROADMAP_PAGE_MAP_TOPICS), the general resources
    # (issue 18: 12 when it read the whole tree)
    "roadmap": ("/roadmaps/{slug}/", 8),
    # with its previous and next topic (a query each) and its effort (the learners' figures)
    "topic": ("/roadmaps/{slug}/topics/{topic}/", 6),
    "phase": ("/roadmaps/{slug}/phases/{phase}/", 5),
    # the section, the count of its topics, the page of them, the next section (issue 18)
    "section": ("/roadmaps/{slug}/sections/1/", 5),
}


@pytest.mark.parametrize("size", ["seed", "synthetic"])
def test_page_query_counts_are_fixed(request, client, size) -> None:
    roadmap = request.getfixturevalue(size)
    topic = roadmap.topics.order_by("order").first().slug
    phase = roadmap.phases.order_by("number").first().slug
    counts = {}
    for name, (pattern, _) in PAGE_QUERIES.items():
        url = pattern.format(slug=roadmap.slug, topic=topic, phase=phase)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries)
    print(size, counts)
    assert counts == {name: expected for name, (_, expected) in PAGE_QUERIES.items()}
