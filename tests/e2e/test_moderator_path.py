"""The moderator's and contributor's paths, in Chromium: a signed-out vote leaves for the
sign-in page as a whole page and comes back; one's own suggestion offers no arrows; a moderator
finds the queue from the header, sees the current tab, the approve page's rendered description
and the report's way to its topic, and merges a duplicate by searching for the target (with
htmx, and with JavaScript off). Screenshots at 1366 and 390 px, light and dark."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.community.models import Report
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Resource, Topic
from tests.factories import pending, resource
from tests.support.browser import make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
SCREENS = [
    ("wide-light", {"width": 1366, "height": 900}, "light"),
    ("wide-dark", {"width": 1366, "height": 900}, "dark"),
    ("phone-light", {"width": 390, "height": 844}, "light"),
    ("phone-dark", {"width": 390, "height": 844}, "dark"),
]


def first_topic(roadmap) -> Topic:
    topic = Topic.objects.active().filter(roadmap=roadmap).order_by("order").first()
    assert topic is not None
    return topic


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_signed_out_vote_signs_in_as_a_whole_page_and_comes_back(seed, open_tab) -> None:
    make_user("val")
    topic = first_topic(seed)
    item = resource(seed, topic, title="A well-liked guide", url="https://docs.example/liked")
    topic_path = f"/roadmaps/{SLUG}/topics/{topic.slug}/"

    tab = open_tab("anonymous")
    page = tab.page
    tab.go(topic_path)
    page.get_by_role("button", name=f"Upvote {item.title}").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    tab.shot("sign in after a vote")
    # One page: one header, one h1, one skip link.
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("a.skip-link")).to_have_count(1)
    page.get_by_label("Username or email").fill("val")
    page.get_by_label("Password").fill("a long e2e passphrase 2024")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(topic_path) + "$"))
    page.get_by_role("button", name=f"Upvote {item.title}").click()
    expect(page.get_by_role("button", name=f"Withdraw my upvote for {item.title}")).to_be_visible()
    tab.shot("voted after signing in")


def test_ones_own_suggestion_offers_no_arrows(seed, open_tab) -> None:
    sam = make_user("sam")
    topic = first_topic(seed)
    mine = resource(seed, topic, title="Sam's own guide", submitted_by=sam)
    tab = open_tab("submitter")
    sign_in(tab, "sam")
    tab.go(f"/roadmaps/{SLUG}/topics/{topic.slug}/")
    item = tab.page.locator(f"#resource-{mine.pk}")
    expect(item).to_contain_text("Your suggestion")
    expect(item.get_by_role("button", name=re.compile("vote", re.I))).to_have_count(0)
    tab.shot("own suggestion")


def test_a_refused_vote_says_why_in_place_and_keeps_the_control(seed, open_tab) -> None:
    make_user("val")
    topic = first_topic(seed)
    item = resource(seed, topic, title="Soon retired", url="https://docs.example/soon")
    tab = open_tab("voter")
    page = tab.page
    sign_in(tab, "val")
    tab.go(f"/roadmaps/{SLUG}/topics/{topic.slug}/")
    Resource.objects.filter(pk=item.pk).update(status=Resource.Status.RETIRED)  # meanwhile
    tab.expect_error_status(f"/resources/{item.pk}/vote/", 404)
    for _ in range(2):  # pressed twice: still one message
        page.get_by_role("button", name=f"Upvote {item.title}").click()
        alert = page.locator(f"#resource-{item.pk} .vote-control + .error-message[role=alert]")
        expect(alert).to_have_text("No resource on the roadmap has this id.")
    expect(page.locator(f"#resource-{item.pk} .error-message")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    tab.shot("refused vote in place")


def _moderation_world(roadmap) -> dict:
    sam = make_user("sam")
    make_user("maud", moderator=True)
    topic = first_topic(roadmap)
    target = resource(
        roadmap, topic, title="The gradient descent guide", url="https://guide.example/gd"
    )
    duplicate = resource(roadmap, topic, title="GD guide (copy)", url="https://copy.example/gd")
    submission = pending(
        roadmap,
        topic,
        sam,
        title="Backprop by hand",
        description_md="Works **every** step by hand.\n\n- chain rule\n- gradients",
    )
    report = Report.objects.create(resource=target, user=sam, reason="spam")
    return {
        "topic": topic,
        "target": target,
        "duplicate": duplicate,
        "submission": submission,
        "report": report,
    }


def test_a_moderator_finds_the_tools_and_merges_by_search(seed, open_tab) -> None:
    world = _moderation_world(seed)
    topic, target, duplicate = world["topic"], world["target"], world["duplicate"]
    tab = open_tab("moderator", viewport={"width": 1366, "height": 900})
    page = tab.page
    sign_in(tab, "maud")

    # The header's link, with the counts, from any page.
    tab.go(f"/roadmaps/{SLUG}/topics/{topic.slug}/")
    link = page.get_by_role("link", name=re.compile(r"^Moderation\s*: 1 submission, 1 report"))
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name="Edit this topic")).to_be_visible()
    expect(page.get_by_role("link", name=f"Edit {duplicate.title}")).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))
    current = page.get_by_role("navigation", name="Queue tabs").locator('[aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Submissions")
    assert current.evaluate("el => getComputedStyle(el).fontWeight") == "700"

    # The approve page shows the description as the public page will.
    tab.go(f"/moderation/submissions/{world['submission'].pk}/approve/")
    preview = page.locator(".resource__description")
    expect(preview.locator("strong")).to_have_text("every")
    expect(preview.locator("li")).to_have_count(2)
    tab.shot("approve page")

    # The report's breadcrumbs lead to its topic.
    tab.go(f"/moderation/reports/{world['report'].pk}/resolve/")
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name=topic.title).click()
    expect(page).to_have_url(re.compile(f"/topics/{topic.slug}/$"))

    # Merge: search as you type (htmx), pick the target, merge.
    tab.go(f"/moderation/resources/{duplicate.pk}/")
    page.get_by_label("Find the resource it repeats").fill("gradient descent")
    choice = page.get_by_role("radio", name=re.compile(re.escape(target.title)))
    expect(choice).to_be_visible()
    tab.shot("merge picker")
    choice.check()
    page.locator("#merge-reason").fill("The same guide twice.")
    page.get_by_role("button", name="Merge it").click()
    expect(page.get_by_text(f"Merged “{duplicate.title}” into “{target.title}”.")).to_be_visible()
    assert ModerationAction.objects.filter(action="merge", target_id=duplicate.pk).exists()


def test_merging_by_search_works_without_javascript(seed, open_tab) -> None:
    world = _moderation_world(seed)
    target, duplicate = world["target"], world["duplicate"]
    tab = open_tab("no-js", java_script_enabled=False)
    page = tab.page
    sign_in(tab, "maud")
    tab.go(f"/moderation/resources/{duplicate.pk}/")
    page.get_by_label("Find the resource it repeats").fill("guide.example")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q=guide.example#merge$"))
    # Sent without a choice: the error is on the form, the search and its list stay.
    tab.expect_error_status(f"/moderation/resources/{duplicate.pk}/merge/", 400)
    page.get_by_role("button", name="Merge it").click()
    expect(page.locator("#merge-into-error")).to_contain_text("Choose the resource to merge into")
    choice = page.get_by_role("radio", name=re.compile(re.escape(target.title)))
    expect(choice).to_be_visible()
    tab.shot("merge without a choice")
    choice.check()
    page.get_by_role("button", name="Merge it").click()
    expect(page.get_by_text(f"Merged “{duplicate.title}” into “{target.title}”.")).to_be_visible()
    duplicate.refresh_from_db()
    assert duplicate.status == Resource.Status.RETIRED


@pytest.mark.parametrize(("name", "viewport", "scheme"), SCREENS, ids=[s[0] for s in SCREENS])
def test_screens_of_the_moderators_pages(seed, open_tab, name, viewport, scheme) -> None:
    world = _moderation_world(seed)
    tab = open_tab(name, viewport=viewport, color_scheme=scheme)
    page = tab.page
    sign_in(tab, "maud")
    for path, step in (
        (f"/roadmaps/{SLUG}/topics/{world['topic'].slug}/", "header"),
        (f"/moderation/resources/{world['duplicate'].pk}/?q=guide#merge", "merge picker"),
        (f"/moderation/submissions/{world['submission'].pk}/approve/", "approve page"),
    ):
        tab.go(path)
        expect(page.get_by_role("link", name=re.compile(r"^Moderation\s*:"))).to_be_visible()
        tab.shot(step)
        assert page_width(page) <= viewport["width"], (step, page_width(page))
