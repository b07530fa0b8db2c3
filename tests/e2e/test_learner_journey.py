"""Journey (a): a newcomer signs up, confirms, enrols, works through a week, and it all stays.

Once with the mouse, once with the keyboard alone (Tab, Enter, Space and typing).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from tests.support.browser import PASSWORD, Tab, is_focused, sign_in, tab_to

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
NOTE = "Gradient descent: step against the slope."


def confirmation_link(email: str) -> str:
    """The confirmation link of the one email sent to this address."""
    sent = [message for message in mail.outbox if email in message.to]
    assert len(sent) == 1, [message.subject for message in mail.outbox]
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", sent[0].body)
    assert match, sent[0].body
    return match.group(0)


def total_weeks(page: Page) -> int:
    heading = page.get_by_role("heading", level=1).inner_text()
    match = re.fullmatch(r"Week 1 of (\d+)", heading)
    assert match, heading
    return int(match.group(1))


def go_to_my_plan(page: Page) -> None:
    """From any page: an enrolled learner has "My plan" in the header; before enrolling, the
    site's name leads home, where "Start the roadmap" leads to the enrolment form."""
    my_plan = page.get_by_role("link", name=re.compile(r"^My plan \(week \d+\)$"))
    if my_plan.count():
        tab_to(page, my_plan)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        return
    tab_to(page, page.get_by_role("link", name="ML Engineer Roadmap").first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Start the roadmap"))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def assert_all_kept(tab: Tab, *, username: str, topic_title: str, topic_slug: str) -> None:
    """After a reload, the browser and the database agree on everything the learner did."""
    page = tab.page
    tab.go(f"/roadmaps/{SLUG}/dashboard/")
    page.reload()
    tab.shot("dashboard after reload")
    done = page.get_by_role("button", name="Done").first
    expect(done).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Hours studied this week")).to_have_value("5")
    expect(page.get_by_role("button", name="Update my check-in")).to_be_visible()

    tab.go(f"/roadmaps/{SLUG}/topics/{topic_slug}/")
    page.reload()
    tab.shot("topic after reload")
    expect(page.get_by_role("heading", level=1)).to_have_text(topic_title)
    expect(page.get_by_label("My note")).to_have_value(NOTE)
    expect(page.get_by_role("button", name="Done")).to_have_attribute("aria-pressed", "true")

    user = User.objects.get(username=username)
    enrollment = Enrollment.objects.get(user=user, roadmap__slug=SLUG)
    assert enrollment.hours_per_week == 5
    progress = TopicProgress.objects.get(user=user, topic__slug=topic_slug)
    assert progress.status == TopicProgress.Status.DONE
    assert progress.note_md == NOTE
    check_in = WeeklyCheckIn.objects.get(user=user, roadmap__slug=SLUG)
    assert (check_in.week, check_in.hours) == (1, 5)


def test_sign_up_enrol_and_work_through_a_week(seed, open_tab) -> None:
    tab = open_tab("mouse")
    page = tab.page

    tab.go("/")
    tab.shot("home")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("ada@mail.example")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    tab.shot("sign up form")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    tab.shot("check your email")

    page.goto(confirmation_link("ada@mail.example"))
    tab.shot("confirm email")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You have confirmed ada@mail.example.")).to_be_visible()
    tab.shot("confirmed")
    sign_in(tab, "ada")

    tab.go(f"/roadmaps/{SLUG}/enrol/")
    page.get_by_label("Hours per week").fill("5")
    page.get_by_role("radio").first.check()
    tab.shot("enrol form")
    page.get_by_role("button", name="Start the roadmap").click()
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/dashboard/$"))
    weeks = total_weeks(page)
    assert weeks > 16, "at 5 hours a week the plan is longer than the 16 weeks of 10 hours"
    tab.shot("the plan")

    first = page.locator(".topic-list__item").first
    topic_link = first.get_by_role("link").first
    topic_title = topic_link.inner_text()
    topic_slug = topic_link.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
    first.get_by_role("button", name="Done").click()
    # htmx swaps the control in place: no navigation, the new state pressed.
    expect(first.get_by_role("button", name="Done")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/dashboard/$"))
    tab.shot("topic marked done")

    topic_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(topic_title)
    page.get_by_label("My note").fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    tab.shot("note saved")

    tab.go(f"/roadmaps/{SLUG}/dashboard/")
    page.get_by_label("Hours studied this week").fill("5")
    page.get_by_label("How did it go? (optional)").fill("Steady week.")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("button", name="Update my check-in")).to_be_visible()
    tab.shot("checked in")

    assert_all_kept(tab, username="ada", topic_title=topic_title, topic_slug=topic_slug)


def test_the_same_journey_with_the_keyboard_alone(seed, open_tab) -> None:
    tab = open_tab("keyboard")
    page = tab.page
    keys = page.keyboard

    tab.go("/")
    tab_to(page, page.get_by_role("link", name="Start the roadmap"))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    for label, value in [
        ("Email", "grace@mail.example"),
        ("Username", "grace"),
        ("Password", PASSWORD),
        ("Password (again)", PASSWORD),
    ]:
        tab_to(page, page.get_by_label(label, exact=True))
        keys.type(value)
    tab.shot("sign up form")
    tab_to(page, page.get_by_role("button", name="Create account"))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # Following the emailed link is the one step outside the page: typing it in the address bar.
    page.goto(confirmation_link("grace@mail.example"))
    tab_to(page, page.get_by_role("button", name="Confirm"))
    keys.press("Space")
    expect(page.get_by_text("You have confirmed grace@mail.example.")).to_be_visible()
    tab_to(page, page.get_by_label("Username or email"))
    keys.type("grace")
    tab_to(page, page.get_by_label("Password", exact=True))
    keys.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    keys.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    tab.shot("confirmed and signed in")
    go_to_my_plan(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Start the {seed.title}")

    hours = page.get_by_label("Hours per week")
    tab_to(page, hours)
    keys.press("Control+A")
    keys.type("5")
    tab_to(page, page.get_by_role("radio"))
    keys.press("Space")
    expect(page.locator("input[type=radio]:focus")).to_be_checked()
    tab.shot("enrol form")
    tab_to(page, page.get_by_role("button", name="Start the roadmap"))
    keys.press("Enter")
    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/dashboard/$"))
    total_weeks(page)

    first = page.locator(".topic-list__item").first
    topic_link = first.get_by_role("link").first
    topic_title = topic_link.inner_text()
    topic_slug = topic_link.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
    done = first.get_by_role("button", name="Done")
    tab_to(page, done)
    keys.press("Space")
    expect(first.get_by_role("button", name="Done")).to_have_attribute("aria-pressed", "true")
    # The control is swapped in place; the keyboard user keeps their place on the button.
    expect(first.get_by_role("button", name="Done")).to_be_focused()
    tab.shot("topic marked done")

    tab_to(page, topic_link)
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(topic_title)
    tab_to(page, page.get_by_label("My note"))
    keys.type(NOTE)
    tab_to(page, page.get_by_role("button", name="Save note"))
    keys.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Save note")).to_be_focused()
    tab.shot("note saved")

    go_to_my_plan(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Week 1 of"))
    tab_to(page, page.get_by_label("Hours studied this week"))
    keys.type("5")
    tab_to(page, page.get_by_role("button", name="Check in"))
    assert is_focused(page.get_by_role("button", name="Check in"))
    keys.press("Enter")
    expect(page.get_by_role("button", name="Update my check-in")).to_be_visible()
    tab.shot("checked in")

    assert_all_kept(tab, username="grace", topic_title=topic_title, topic_slug=topic_slug)
