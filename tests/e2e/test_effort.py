"""Issue 19, real effort: the "how long did it take?" prompt, the learners' figures, the pace
and the moderators' list, in the browser, at 390 and 1366 px, light and dark, with and without
JavaScript. Screenshots also go to /tmp/shots/h19a/ when that directory exists."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.progress import services
from apps.progress.models import TopicProgress, WeeklyCheckIn
from apps.roadmap.models import Topic
from tests.factories import UserFactory
from tests.support.browser import Tab, make_user, sign_in

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots/h19a")


def topics(roadmap) -> list[Topic]:
    return list(Topic.objects.active().filter(roadmap=roadmap).order_by("phase__number", "order"))


def shot(tab: Tab, step: str) -> None:
    """Full-page screenshots with the caret left alone (the CSP refuses Playwright's caret
    style after an htmx swap), under the test artifacts and /tmp/shots/h19a/."""
    tab.steps += 1
    slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
    if SHOTS.is_dir():
        name = re.sub(r"[^A-Za-z0-9]+", "-", tab.name)
        tab.page.screenshot(
            path=str(SHOTS / f"{name}-{tab.steps:02d}-{slug}.png"), full_page=True, caret="initial"
        )


def fits(tab: Tab, width: int) -> None:
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_done_then_how_long_with_htmx(seed, open_tab, viewport, scheme) -> None:
    user = make_user("noor")
    services.enrollment_put(user=user, roadmap=seed)
    topic = topics(seed)[0]
    for hours in (2, 4, 6, 8, 10):
        services.topic_progress_put(
            user=UserFactory(), topic=topic, status="done", hours_taken=hours
        )
    tab = open_tab("time", viewport=viewport, color_scheme=scheme)
    sign_in(tab, "noor")
    tab.go(f"/roadmaps/{seed.slug}/topics/{topic.slug}/")
    page = tab.page
    expect(page.locator(f"#effort-{topic.slug}")).to_contain_text("median of 5 learners")
    page.locator(f"#status-{topic.slug}-done").click()
    expect(page.get_by_text("About how long did it take?")).to_be_visible()
    shot(tab, "asked how long")
    fits(tab, viewport["width"])
    page.get_by_role("button", name="3 h", exact=True).click()
    expect(page.get_by_text("You said about 3 hours")).to_be_visible()
    assert TopicProgress.objects.get(user=user, topic=topic).hours_taken == 3
    tab.expect_error_status(f"/roadmaps/{seed.slug}/topics/{topic.slug}/time/", 400)
    page.get_by_label(re.compile("Or type the hours")).fill("0")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(f"#time-{topic.slug}-error")).to_be_visible()
    shot(tab, "refused in place")
    fits(tab, viewport["width"])
    assert TopicProgress.objects.get(user=user, topic=topic).hours_taken == 3


def test_done_then_how_long_without_javascript(seed, open_tab) -> None:
    user = make_user("noor")
    topic = topics(seed)[0]
    tab = open_tab("time-no-js", viewport=PHONE, java_script_enabled=False)
    sign_in(tab, "noor")
    tab.go(f"/roadmaps/{seed.slug}/topics/{topic.slug}/")
    page = tab.page
    page.locator(f"#status-{topic.slug}-done").click()
    page.get_by_label(re.compile("Or type the hours")).fill("7")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("You said about 7 hours")).to_be_visible()
    shot(tab, "saved without js")
    assert TopicProgress.objects.get(user=user, topic=topic).hours_taken == 7


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pace_and_the_moderators_list(seed, open_tab, viewport, scheme) -> None:
    user = make_user("noor", moderator=True)
    services.enrollment_put(
        user=user, roadmap=seed, start_date=timezone.localdate() - timedelta(days=21)
    )
    first, second, third = topics(seed)[:3]
    for topic in (first, second, third):
        services.topic_progress_put(
            user=user, topic=topic, status="done", hours_taken=topic.est_hours * 2
        )
    for week, hours in ((2, 6), (3, 9), (4, 7)):
        WeeklyCheckIn.objects.create(user=user, roadmap=seed, week=week, hours=hours)
    for hours in (30, 31, 32, 33, 34):
        services.topic_progress_put(
            user=UserFactory(), topic=first, status="done", hours_taken=hours
        )
    tab = open_tab("pace", viewport=viewport, color_scheme=scheme)
    sign_in(tab, "noor")
    tab.go(f"/roadmaps/{seed.slug}/dashboard/")
    page = tab.page
    expect(page.get_by_role("heading", name="Your pace")).to_be_visible()
    expect(page.get_by_text("You take about 2× the estimated time")).to_be_visible()
    page.locator("#pace-title").scroll_into_view_if_needed()
    shot(tab, "pace")
    fits(tab, viewport["width"])
    tab.go("/moderation/effort/")
    expect(page.get_by_role("rowheader", name=first.title)).to_be_visible()
    shot(tab, "far from the estimates")
    fits(tab, viewport["width"])
