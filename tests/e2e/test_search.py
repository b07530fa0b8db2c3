"""The search (issue 22) in Chromium: "/" focuses the header's box from any page (not while
typing in a field), Escape leaves it, Enter shows the results; without JavaScript the same box
is a plain form; the keyboard alone reaches a result; a learner sees their status beside a hit;
the results, the empty and the no-result pages at 1366 and 390 px, light and dark, none wider
than the screen, and axe finds nothing serious on them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.progress.services import topic_progress_put
from apps.roadmap.models import Topic
from tests.support.browser import Tab, is_focused, make_user, sign_in, tab_to

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
AXE_URL = "/static/vendor/axe-core/axe.min.js"  # as the site's CSP allows it: 'self'
SCREENS = [
    ("wide-light", {"width": 1366, "height": 900}, "light"),
    ("wide-dark", {"width": 1366, "height": 900}, "dark"),
    ("phone-light", {"width": 390, "height": 844}, "light"),
    ("phone-dark", {"width": 390, "height": 844}, "dark"),
]


def test_slash_focuses_the_box_escape_leaves_it_and_enter_searches(seed, open_tab) -> None:
    tab = open_tab("slash", viewport={"width": 1366, "height": 900})
    page = tab.page
    tab.go(f"/roadmaps/{SLUG}/")
    box = page.get_by_role("searchbox", name="Search the roadmap")
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the "/" itself was not typed
    page.keyboard.press("Escape")
    expect(box).not_to_be_focused()

    # While typing in a field, "/" is a character like any other.
    page.get_by_label("Theme").focus()
    page.keyboard.press("/")
    expect(box).not_to_be_focused()
    box.focus()
    page.keyboard.type("docker/compose")
    expect(box).to_have_value("docker/compose")
    box.fill("")
    page.keyboard.press("Escape")

    page.keyboard.press("/")
    page.keyboard.type("docker")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=docker$"))
    expect(page.locator("h1")).to_have_text("Results for “docker”")
    groups = page.locator(".search-group h2")
    expect(groups.first).to_contain_text("Topics")
    expect(page.locator(".search-hit mark").first).to_have_text(re.compile("docker", re.I))
    tab.shot("results for docker")


def test_without_javascript_the_header_box_is_a_plain_form(seed, open_tab) -> None:
    tab = open_tab("no-js", java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = tab.page
    tab.go("/")
    box = page.get_by_role("searchbox", name="Search the roadmap")
    expect(box).to_be_visible()
    box.fill('"feature store"')
    page.get_by_role("search", name="Site search").get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=%22feature\+store%22$"))
    expect(page.locator(".search-hit").first).to_be_visible()
    expect(page.locator("mark", has_text=re.compile("feature store", re.I)).first).to_be_visible()
    # The kind tabs are links: no script needed either.
    page.get_by_role("navigation", name="Kinds of result").get_by_role(
        "link", name=re.compile("^Resources")
    ).click()
    expect(page).to_have_url(re.compile(r"kind=resource$"))
    expect(page.locator(".search-group h2")).to_have_count(1)
    tab.shot("resources for feature store without javascript")


def test_the_keyboard_alone_reaches_a_result_and_the_learner_sees_their_status(
    seed, open_tab
) -> None:
    learner = make_user("kai")
    topic = Topic.objects.get(roadmap=seed, slug="algorithms")
    topic_progress_put(user=learner, topic=topic, status="done")
    tab = open_tab("keyboard", viewport={"width": 1366, "height": 900})
    page = tab.page
    sign_in(tab, "kai")
    tab.go(f"/roadmaps/{SLUG}/")
    box = page.get_by_role("searchbox", name="Search the roadmap")
    page.locator("body").focus()
    tab_to(page, box)
    page.keyboard.type("algorithms")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=algorithms$"))
    hit = page.locator(".search-hit", has=page.get_by_role("link", name="Algorithms", exact=True))
    expect(hit.locator(".status-label")).to_have_text("Your status: Done")
    tab.shot("learner's status beside the hit")
    link = hit.get_by_role("link", name="Algorithms", exact=True)
    tab_to(page, link)
    assert is_focused(link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/topics/algorithms/$"))


def serious_violations(tab: Tab, label: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, after its shot."""
    page = tab.page
    page.add_script_tag(url=AXE_URL)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert len(results["passes"]) >= 10, results["passes"]  # axe did run its rules
    tab.shot(label)
    return [
        f"{violation['id']}: {violation['help']} ({violation['nodes'][0]['target']})"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("name", "viewport", "scheme"), SCREENS)
def test_the_search_pages_fit_and_pass_axe(seed, open_tab, name, viewport, scheme) -> None:
    tab = open_tab(name, viewport=viewport, color_scheme=scheme)
    page = tab.page
    serious: dict[str, list[str]] = {}
    for label, path in (
        ("results", "/search/?q=docker"),
        ("pages of results", "/search/?q=model&kind=topic&page=2"),
        ("empty search", "/search/"),
        ("no results", "/search/?q=zeppelin+quokka&kind=faq"),
    ):
        tab.go(path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= viewport["width"], f"{label} is {width} px wide at {viewport['width']}"
        serious[label] = serious_violations(tab, f"{label} {name}")
    assert not any(serious.values()), serious
    # The header's box is on screen and big enough to hit, on a phone too.
    box = page.get_by_role("searchbox", name="Search the roadmap").bounding_box()
    assert box is not None and box["height"] >= 24 and box["x"] + box["width"] <= viewport["width"]
