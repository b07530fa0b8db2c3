"""The roadmap page's map in Chromium: the side panel (open, change a status, Escape, focus
back), the keyboard's order and the panel's focus trap, plain links without JavaScript, a list
by week on a 390 px phone without sideways scrolling, and axe-core on the page and the panel,
light and dark, anonymous and enrolled. Screenshots land in test-artifacts/e2e/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.progress.models import TopicProgress
from apps.progress.services import enrollment_put, topic_progress_put
from apps.roadmap.models import Roadmap, Topic
from tests.support.browser import Tab, make_user, sign_in, tab_to
from tests.support.map_page import read_map

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
PAGE = f"/roadmaps/{SLUG}/"
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_URL = "/static/vendor/axe-core/axe.min.js"


def enrolled(username: str, roadmap: Roadmap) -> None:
    """A learner three weeks into a 5-hours-a-week plan, with one topic of each status: the
    topics of weeks 1-3 left unfinished are overdue."""
    user = make_user(username)
    start = timezone.localdate() - timedelta(weeks=3)
    enrollment_put(user=user, roadmap=roadmap, hours_per_week=5, start_date=start)
    for slug, status in [
        ("ml-in-research-vs-production", "done"),
        ("model-lifecycle", "in_progress"),
        ("soft-skills-for-ml-engineers", "skipped"),
        ("frameworks", "in_progress"),
    ]:
        topic = Topic.objects.get(roadmap=roadmap, slug=slug)
        topic_progress_put(user=user, topic=topic, status=status)


def focused_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def focus_in_panel(page: Page) -> bool:
    return page.evaluate(
        "() => document.getElementById('map-panel').contains(document.activeElement)"
    )


def serious_violations(tab: Tab, label: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    page = tab.page
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert len(results["passes"]) >= 10, results["passes"]  # axe did run its rules
    tab.shot(label)
    return [
        f"{label}: {v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_node_opens_its_panel_where_a_status_change_shows_on_the_map(seed, open_tab) -> None:
    tab = open_tab("panel", viewport=WIDE)
    page = tab.page
    enrollment_put(user=make_user("nia"), roadmap=seed, hours_per_week=5)
    sign_in(tab, "nia")
    tab.go(PAGE)
    node = page.locator("#map-node-algorithms")
    expect(node).to_contain_text("Not started")
    expect(node).to_have_class(re.compile(r"\bmap-node--not_started\b"))

    node.click()
    dialog = page.get_by_role("dialog", name="Algorithms")
    expect(dialog).to_be_visible()
    expect(page.locator("#map-panel-title")).to_be_focused()
    assert page.url.endswith(PAGE)  # the map stays; nothing navigated
    tab.shot("panel open")

    dialog.get_by_role("button", name="In progress").click()
    expect(dialog.get_by_role("button", name="In progress")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(node).to_have_class(re.compile(r"\bmap-node--in_progress\b"))
    expect(node).to_contain_text("In progress")
    tab.shot("status changed in the panel")
    row = TopicProgress.objects.get(user__username="nia", topic__slug="algorithms")
    assert row.status == "in_progress"

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#map-node-algorithms")).to_be_focused()

    # "Done, next topic": Algorithms is done and Frameworks opens; closing returns to
    # the node of the topic the panel showed last.
    page.locator("#map-node-algorithms").click()
    page.get_by_role("button", name="Done, next topic").click()
    expect(page.get_by_role("dialog", name="Frameworks")).to_be_visible()
    expect(page.locator("#map-node-algorithms")).to_have_class(re.compile(r"\bmap-node--done\b"))
    expect(page.locator("#map-node-algorithms")).to_contain_text("Done")
    tab.shot("done, then the next topic")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#map-node-frameworks")).to_be_focused()
    statuses = dict(
        TopicProgress.objects.filter(user__username="nia").values_list("topic__slug", "status")
    )
    assert statuses == {"algorithms": "done"}


def test_the_keyboard_reaches_the_nodes_in_reading_order_and_stays_in_the_panel(
    seed, open_tab
) -> None:
    tab = open_tab("keyboard", viewport=WIDE)
    page = tab.page
    tab.go(PAGE)
    table = read_map(page.content())
    nodes = table.linked()
    # Reading order: lane by lane (top to bottom), week by week (left to right).
    assert [(lane, column) for lane, column, _ in nodes] == sorted(
        (lane, column) for lane, column, _ in nodes
    )
    expected = [f"map-node-{node.slug}" for _, _, node in nodes]
    tab_to(page, page.locator(f"#{expected[0]}"))
    reached = [focused_id(page)]
    for _ in expected[1:]:
        page.keyboard.press("Tab")
        reached.append(focused_id(page))
    assert reached == expected

    # Enter opens the panel; Tab and Shift+Tab stay inside it; Escape gives the node back.
    target = expected[5]
    page.locator(f"#{target}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator("#map-panel-title")).to_be_focused()
    tab.shot("panel opened with the keyboard")
    seen = set()
    for _ in range(15):
        page.keyboard.press("Tab")
        assert focus_in_panel(page)
        seen.add(focused_id(page) or page.evaluate("() => document.activeElement.textContent"))
    assert len(seen) >= 3  # it moved between the panel's controls, then wrapped
    for _ in range(15):
        page.keyboard.press("Shift+Tab")
        assert focus_in_panel(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator(f"#{target}")).to_be_focused()


def test_a_long_plan_opens_scrolled_to_this_week(seed, open_tab) -> None:
    user = make_user("tess")
    start = timezone.localdate() - timedelta(weeks=19)
    enrollment_put(user=user, roadmap=seed, hours_per_week=3, start_date=start)
    tab = open_tab("long plan", viewport=WIDE)
    page = tab.page
    sign_in(tab, "tess")
    tab.go(PAGE)
    wrapper = page.locator(".map__wide")
    this_week = page.locator(".map__week.is-current")
    expect(this_week).to_have_text("Week 20 this week")
    box, seen = this_week.bounding_box(), wrapper.bounding_box()
    assert (
        box
        and seen
        and seen["x"] < box["x"]
        and box["x"] + box["width"] <= seen["x"] + seen["width"]
    )
    assert wrapper.evaluate("element => element.scrollLeft") > 0
    tab.shot("a 54-week plan in week 20")


def test_without_javascript_a_node_is_a_link_to_its_topic_page(seed, open_tab) -> None:
    tab = open_tab("no-js", viewport=WIDE, java_script_enabled=False)
    page = tab.page
    tab.go(PAGE)
    page.locator("#map-node-algorithms").click()
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/topics/algorithms/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Algorithms")
    tab.shot("the topic page, reached from the map")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_map_on_wide_screens_and_phones_light_and_dark(seed, open_tab, scheme) -> None:
    """Anonymous and enrolled, 1366 and 390 px: screenshots, axe-core on the page and with
    the panel open, and no sideways scrolling on the phone."""
    enrolled(f"lee{scheme}", seed)
    problems: list[str] = []
    for reader in ("anonymous", "enrolled"):
        for size, viewport in (("1366", WIDE), ("390", PHONE)):
            tab = open_tab(f"{scheme}-{reader}-{size}", viewport=viewport, color_scheme=scheme)
            page = tab.page
            if reader == "enrolled":
                sign_in(tab, f"lee{scheme}")
            tab.go(PAGE)
            page.locator("#map").scroll_into_view_if_needed()
            problems += serious_violations(tab, f"{reader} {size} {scheme}")
            prefix = "map-node" if size == "1366" else "map-item"
            node = page.locator(f"#{prefix}-algorithms")
            if size == "390":
                expect(page.locator(".map__wide")).to_be_hidden()
                expect(page.locator(".map__list")).to_be_visible()
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= 390, (reader, scheme, width)
            else:
                expect(page.locator(".map__list")).to_be_hidden()
            if reader == "enrolled":
                expect(page.locator(f"#{prefix}-model-lifecycle")).to_contain_text(
                    "In progress, overdue"
                )
                expect(page.locator(f"#{prefix}-ml-in-research-vs-production")).to_contain_text(
                    "Done"
                )
            node.click()
            expect(page.get_by_role("dialog", name="Algorithms")).to_be_visible()
            problems += serious_violations(tab, f"{reader} {size} {scheme} panel open")
            if size == "390":
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= 390, (reader, scheme, "panel", width)
            page.keyboard.press("Escape")
            expect(node).to_be_focused()
    assert not problems, "\n".join(problems)
