"""Issue 17, polish: the theme switcher, the size of the "Mark as read" button, and every page a
learner or a moderator reaches, at 390 px and 1,366 px, with long words and links in it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.community.services import report_create, resource_submit
from apps.moderation.services.submissions import submission_approve, submission_reject
from apps.moderation.services.topics import topic_edit
from apps.progress.services import enrollment_put
from apps.roadmap.models import Resource, Roadmap, Topic
from tests.support.browser import Tab, make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LONG_WORD = "Hyperparameteroptimisationwithoutanybreakopportunity" * 3
LONG_URL = (
    "https://docs.example/"
    + "/".join(["a-rather-long-path-segment"] * 6)
    + "?"
    + ("&".join(f"parameter{i}=value{i}" for i in range(8)))
)


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# ---------------------------------------------------------------------------------------------
# The theme switcher


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {
    tag: el.tagName.toLowerCase(),
    inMain: !!el.closest("main"),
    width: r.width, height: r.height,
    onScreen: r.right > 0 && r.bottom > 0 && r.left < innerWidth,
    clipped: style.clip === "rect(0px, 0px, 0px, 0px)" || style.clipPath === "inset(50%)",
    hidden: style.visibility === "hidden" || style.opacity === "0",
    name: (el.getAttribute("aria-label") || label || el.innerText || el.value || "").trim(),
  };
}"""


def focus_stops_before_main(page: Page) -> list[dict[str, Any]]:
    """Each element the Tab key visits from the top of the page up to the main content."""
    page.locator("body").focus()
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None or stop["inMain"]:
            return stops
        stops.append(stop)
    raise AssertionError(f"the Tab key never reached the main content: {stops}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_every_focus_stop_in_the_header_is_visible_and_named(seed, open_tab, viewport) -> None:
    tab = open_tab("tab-stops", viewport=viewport)
    tab.go(f"/roadmaps/{SLUG}/")
    stops = focus_stops_before_main(tab.page)
    assert any(stop["tag"] == "select" and stop["name"] == "Theme" for stop in stops), stops
    for stop in stops:
        assert stop["width"] >= 24 and stop["height"] >= 24, stop
        assert stop["onScreen"] and not stop["clipped"] and not stop["hidden"], stop
        assert stop["name"], stop
    tab.shot("header")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_applies_on_change_with_javascript(seed, open_tab, scheme) -> None:
    other = "dark" if scheme == "light" else "light"
    tab = open_tab("theme-js", viewport=DESKTOP, color_scheme=scheme)
    page = tab.page
    tab.go(f"/roadmaps/{SLUG}/")
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_label("Theme").select_option(other)
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/$"))
    expect(page.locator("html")).to_have_attribute("data-theme", other)
    expect(page.get_by_label("Theme")).to_have_value(other)
    tab.shot(f"{other} chosen at 1366")
    page.set_viewport_size(PHONE)
    tab.shot(f"{other} chosen at 390")
    assert page_width(page) <= PHONE["width"]


def test_the_theme_applies_with_its_button_without_javascript(seed, open_tab) -> None:
    tab = open_tab("theme-no-js", viewport=PHONE, java_script_enabled=False)
    page = tab.page
    tab.go(f"/roadmaps/{SLUG}/")
    apply = page.get_by_role("button", name="Apply")
    expect(apply).to_be_visible()
    box = apply.bounding_box()
    assert box is not None and box["height"] >= 24, box
    page.get_by_label("Theme").select_option("dark")
    apply.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    tab.shot("dark without javascript")
    assert page_width(page) <= PHONE["width"]


# ---------------------------------------------------------------------------------------------
# "Mark as read" is as big a target as a vote


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_mark_as_read_is_44_px_high_like_the_vote_buttons(seed, open_tab, viewport, scheme):
    enrollment_put(user=make_user("reader"), roadmap=seed, hours_per_week=5)
    topic = Topic.objects.filter(roadmap=seed, resources__status="approved").distinct().first()
    assert topic is not None
    tab = open_tab("tick", viewport=viewport, color_scheme=scheme)
    page = tab.page
    sign_in(tab, "reader")
    tab.go(f"/roadmaps/{SLUG}/topics/{topic.slug}/")
    tick = page.locator(".tick-button").first
    vote = page.locator(".vote-button").first
    for button in (tick, vote):
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    styles = (
        "el => { const s = getComputedStyle(el);"
        " return [s.borderTopWidth, s.borderRadius, s.minHeight, s.cursor]; }"
    )
    assert tick.evaluate(styles) == vote.evaluate(styles)
    tab.shot("tick and votes")
    tick.click()
    expect(page.locator(".tick-button").first).to_have_attribute("aria-pressed", "true")
    box = page.locator(".tick-button").first.bounding_box()
    assert box is not None and box["height"] >= 44, box
    tab.shot("ticked")


# ---------------------------------------------------------------------------------------------
# No page wider than the screen


def long_content(roadmap: Roadmap) -> dict[str, Any]:
    """Words and links that do not break, everywhere a learner or a moderator reads them."""
    learner = make_user("learner")
    moderator = make_user("maud", moderator=True)
    enrollment_put(user=learner, roadmap=roadmap, hours_per_week=5)
    topic = Topic.objects.active().filter(roadmap=roadmap).order_by("order").first()
    assert topic is not None

    def submit(n: int) -> Resource:
        return resource_submit(
            user=learner, roadmap=roadmap, topic=topic, url=f"{LONG_URL}&n={n}",
            title=f"{LONG_WORD} {n}", kind="article", description=f"{LONG_WORD} {LONG_URL}",
        )  # fmt: skip

    pending = submit(1)
    approved = submission_approve(actor=moderator, resource=submit(2), note=LONG_WORD)
    submission_reject(actor=moderator, resource=submit(3), reason=f"{LONG_WORD} {LONG_URL}")
    other = Resource.objects.filter(roadmap=roadmap, status="approved").exclude(pk=approved.pk)
    report_create(user=learner, resource=other.first(), reason="broken", note=LONG_WORD)
    topic_edit(
        actor=moderator, topic=topic, body=f"{topic.body_md}\n\n{LONG_WORD} <{LONG_URL}>",
        key_points=[LONG_WORD], reason=f"{LONG_WORD} {LONG_URL}",
    )  # fmt: skip
    phase = topic.phase.slug if topic.phase else ""
    place = f"/roadmaps/{SLUG}"
    return {
        "learner": [
            "/", f"{place}/", f"{place}/topics/{topic.slug}/", f"{place}/phases/{phase}/",
            f"{place}/projects/", f"{place}/faq/", f"{place}/outcomes/", f"{place}/dashboard/",
            f"{place}/submit/", "/my/submissions/", f"/resources/{approved.pk}/report/",
            "/settings/", "/settings/email/", "/settings/tokens/", "/settings/data/",
            "/settings/delete/", "/accounts/email/", "/accounts/password/change/", "/modlog/",
        ],
        "moderator": [
            "/moderation/", "/moderation/?tab=reports", "/moderation/?tab=broken",
            f"/moderation/resources/{approved.pk}/", f"/moderation/resources/{pending.pk}/",
            f"/moderation{place}/topics/{topic.slug}/",
            f"/moderation{place}/topics/{topic.slug}/revisions/", "/modlog/",
            f"{place}/topics/{topic.slug}/",
        ],
    }  # fmt: skip


def too_wide(tab: Tab, paths: list[str], width: int) -> list[str]:
    problems = []
    for path in paths:
        tab.go(path)
        scroll = page_width(tab.page)
        if scroll > width:
            tab.shot(f"too wide {path}")
            problems.append(f"{path}: {scroll} px")
    return problems


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_no_page_is_wider_than_the_screen(seed, open_tab, viewport) -> None:
    paths = long_content(seed)
    width = viewport["width"]
    problems = too_wide(open_tab("anonymous", viewport=viewport), ["/accounts/login/"], width)
    for person, username in (("learner", "learner"), ("moderator", "maud")):
        tab = open_tab(person, viewport=viewport)
        sign_in(tab, username)
        problems += too_wide(tab, paths[person], width)
    assert problems == [], f"pages wider than {width} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_screenshots_of_the_long_pages(seed, open_tab, viewport, scheme) -> None:
    """What the fixes look like (test-artifacts/e2e/): the log, the revisions, the queue."""
    paths = long_content(seed)
    tab = open_tab("moderator", viewport=viewport, color_scheme=scheme)
    sign_in(tab, "maud")
    for path in ("/modlog/", paths["moderator"][6], "/moderation/", "/moderation/?tab=reports"):
        tab.go(path)
        tab.shot(path)
        assert page_width(tab.page) <= viewport["width"], path
