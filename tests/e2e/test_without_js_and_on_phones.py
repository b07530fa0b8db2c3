"""Journeys (c) and (d): the main pages with JavaScript switched off, and on a phone.

Without JavaScript every control is a plain form: the POST answers with a redirect back to the
page it came from, showing the new state. On a 390 px wide phone no page scrolls sideways; the
16-week timeline scrolls inside its own box.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.progress.models import TopicProgress, WeeklyCheckIn
from apps.progress.services import enrollment_put
from apps.roadmap.models import Roadmap, Topic
from tests.support.browser import make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
PHONE = {"width": 390, "height": 844}


def enrolled(username: str, roadmap: Roadmap) -> None:
    enrollment_put(user=make_user(username), roadmap=roadmap, hours_per_week=5)


def test_roadmap_topic_and_dashboard_work_without_javascript(seed, open_tab) -> None:
    enrolled("nojs", seed)
    topic = Topic.objects.active().filter(roadmap=seed).order_by("order").first()
    tab = open_tab("no-js", java_script_enabled=False)
    page = tab.page
    sign_in(tab, "nojs")

    # The roadmap: sections and topics, the way to my plan, and the theme switch's own button.
    tab.go(f"/roadmaps/{SLUG}/")
    expect(page.get_by_role("link", name=topic.title, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Go to my plan")).to_be_visible()
    page.get_by_label("Theme").select_option("dark")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/$"))
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    tab.shot("roadmap in the dark theme")

    # A topic: the status buttons and the note are plain forms that come back to the page.
    tab.go(f"/roadmaps/{SLUG}/topics/{topic.slug}/")
    page.get_by_role("button", name="In progress").click()
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/topics/{topic.slug}/$"))
    expect(page.get_by_role("button", name="In progress")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("My note").fill("Read chapter 2 again.")
    page.get_by_role("button", name="Save note").click()
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/topics/{topic.slug}/$"))
    expect(page.get_by_label("My note")).to_have_value("Read chapter 2 again.")
    tab.shot("topic in progress with a note")
    progress = TopicProgress.objects.get(user__username="nojs", topic=topic)
    assert (progress.status, progress.note_md) == ("in_progress", "Read chapter 2 again.")

    # The roadmap shows the topic's status.
    tab.go(f"/roadmaps/{SLUG}/")
    item = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=topic.title, exact=True)
    )
    expect(item).to_contain_text("In progress")

    # The dashboard: a status change and the check-in, each back on the dashboard.
    page.get_by_role("link", name="Go to my plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Week 1 of \d+$"))
    first = page.locator(".topic-list__item").first
    first.get_by_role("button", name="Done").click()
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/dashboard/$"))
    expect(
        page.locator(".topic-list__item").first.get_by_role("button", name="Done")
    ).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Hours studied this week").fill("4")
    page.get_by_role("button", name="Check in").click()
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/dashboard/$"))
    expect(page.get_by_label("Hours studied this week")).to_have_value("4")
    tab.shot("dashboard after a check-in")
    assert WeeklyCheckIn.objects.get(user__username="nojs").hours == 4


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_roadmap_and_dashboard_fit_a_phone(seed, open_tab) -> None:
    enrolled("phone", seed)
    tab = open_tab("phone", viewport=PHONE, is_mobile=True, has_touch=True)
    page = tab.page
    sign_in(tab, "phone")

    tab.go(f"/roadmaps/{SLUG}/")
    tab.shot("roadmap on a phone")
    assert page_width(page) <= PHONE["width"]
    timeline = page.get_by_role("group", name=re.compile(r"week timeline"))
    box = timeline.evaluate("el => ({scroll: el.scrollWidth, client: el.clientWidth})")
    assert box["scroll"] > box["client"], "the timeline is wider than a phone and scrolls"
    assert box["client"] <= PHONE["width"]

    tab.go(f"/roadmaps/{SLUG}/dashboard/")
    tab.shot("dashboard on a phone")
    assert page_width(page) <= PHONE["width"]
    # The status buttons stay usable: each one fully on screen and at least 24 px tall.
    for button in page.locator(".topic-list__item").first.get_by_role("button").all():
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["height"] >= 24, box
