"""Issue 16, the learner's week: the defects a learner met in one week, each in the browser.

1. a note edited after a status change was silently lost;
2. marking a topic done on the dashboard left its progress bars and lists stale;
3. changing the plan's start date moved check-ins to other weeks;
4. signing up lost where the learner was going, and an enrolled learner was asked to start.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.progress import selectors, services
from apps.progress.models import TopicProgress, WeeklyCheckIn
from apps.roadmap.models import Topic
from tests.support.browser import ARTIFACTS, PASSWORD, Tab, make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
SECOND_NOTE = "Second thoughts, **after** starting. <img src=x onerror=alert(1)>"


def first_topic(roadmap) -> Topic:
    return Topic.objects.active().filter(roadmap=roadmap).order_by("phase__number", "order")[0]


def enrolled(username: str, roadmap, **settings):
    user = make_user(username)
    services.enrollment_put(user=user, roadmap=roadmap, **settings)
    return user


def shot(tab: Tab, step: str) -> None:
    """`Tab.shot`, with the caret left alone: right after an htmx swap, Playwright's caret
    hiding (an injected inline style) is refused by the site's CSP and reported as a console
    error, which would fail the test for a reason of the tool's own."""
    tab.steps += 1
    slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
    path = ARTIFACTS / tab.name / f"{tab.steps:02d}-{slug}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(path), full_page=True, caret="initial")


def edit_note(page) -> None:
    """Open the note's editor when the note is shown rendered (a saved note, after a reload)."""
    editor = page.get_by_label("My note")
    if not editor.is_visible():
        page.get_by_text("Edit my note").click()


def topic_path(topic: Topic) -> str:
    return f"/roadmaps/{topic.roadmap.slug}/topics/{topic.slug}/"


# -- 1. notes


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_note_edited_after_a_status_change_is_saved(seed, open_tab, javascript) -> None:
    user = enrolled("noor", seed)
    topic = first_topic(seed)
    tab = open_tab("noor", java_script_enabled=javascript)
    page = tab.page
    sign_in(tab, "noor")
    tab.go(topic_path(topic))
    page.get_by_label("My note").fill("First thoughts.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Saved.").or_(page.get_by_text("Your note is saved."))).to_be_visible()
    page.get_by_role("button", name="In progress").click()
    expect(page.get_by_role("button", name="In progress")).to_have_attribute("aria-pressed", "true")
    edit_note(page)
    page.get_by_label("My note").fill(SECOND_NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Saved.").or_(page.get_by_text("Your note is saved."))).to_be_visible()
    shot(tab, "note saved after a status change")

    page.reload()
    # Shown as Markdown, sanitised (no raw HTML), until opened for editing.
    expect(page.locator(".note-rendered strong")).to_have_text("after")
    expect(page.locator(".note-rendered img")).to_have_count(0)
    expect(page.get_by_label("My note")).to_have_value(SECOND_NOTE)
    row = TopicProgress.objects.get(user=user, topic=topic)
    assert (row.status, row.note_md) == ("in_progress", SECOND_NOTE)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_note_changed_in_another_tab_shows_both_texts(seed, open_tab, javascript) -> None:
    user = enrolled("noor", seed)
    topic = first_topic(seed)
    tab = open_tab("noor", java_script_enabled=javascript)
    page = tab.page
    sign_in(tab, "noor")
    tab.go(topic_path(topic))
    # Meanwhile, another tab saves the note (through the same service the page uses).
    services.topic_note_put(user=user, topic=topic, note_md="From my phone.", if_note_version=0)
    tab.expect_error_status(f"{topic_path(topic)}note/", 412)
    page.get_by_label("My note").fill("From my laptop.")
    page.get_by_role("button", name="Save note").click()

    expect(page.get_by_text("was changed in another tab or device")).to_be_visible()
    expect(page.locator(".note-saved")).to_have_text("From my phone.")
    expect(page.get_by_label("What you typed")).to_have_value("From my laptop.")
    shot(tab, "both texts shown")
    assert TopicProgress.objects.get(user=user, topic=topic).note_md == "From my phone."

    page.get_by_label("What you typed").fill("From my phone. From my laptop.")
    page.get_by_role("button", name="Save what is in the box").click()
    expect(page.get_by_text("Saved.").or_(page.get_by_text("Your note is saved."))).to_be_visible()
    row = TopicProgress.objects.get(user=user, topic=topic)
    assert row.note_md == "From my phone. From my laptop."


# -- 2. the dashboard follows a status change


def test_marking_the_last_topic_of_the_week_done_updates_the_whole_dashboard(
    seed, open_tab
) -> None:
    user = enrolled("dara", seed, hours_per_week=10)
    plan = selectors.plan_for(enrollment=selectors.enrollment_of(user=user, roadmap=seed))
    this_week = list(plan.weeks[0].hours_by_topic)
    topics = {t.slug: t for t in Topic.objects.filter(roadmap=seed, slug__in=this_week)}
    for slug in this_week[:-1]:
        services.topic_progress_put(user=user, topic=topics[slug], status="done")
    last = topics[this_week[-1]]

    tab = open_tab("dara")
    page = tab.page
    sign_in(tab, "dara")
    tab.go(f"/roadmaps/{SLUG}/dashboard/")
    overall = page.locator("#progress-overall")
    before = int(overall.get_attribute("value"))
    expect(page.get_by_role("heading", name="Up next")).to_have_count(0)

    item = page.locator(".topic-list__item").filter(has_text=last.title)
    item.get_by_role("button", name="Done").click()

    # Without a reload: the bars, the list (now "Up next") and the pressed button.
    expect(page.get_by_role("heading", name="Up next")).to_be_visible()
    expect(overall).not_to_have_attribute("value", str(before))
    expect(page.locator(".progress__value").first).to_contain_text(
        f"{selectors.progress_summary(user=user, roadmap=seed).percent_complete}"
    )
    expect(
        page.locator(".topic-list__item")
        .filter(has_text=last.title)
        .get_by_role("button", name="Done")
    ).to_have_attribute("aria-pressed", "true")
    assert page.url.endswith(f"/roadmaps/{SLUG}/dashboard/")
    shot(tab, "dashboard after the week's last topic is done")


# -- 3. changing the plan keeps check-ins in their weeks


def test_an_earlier_start_date_keeps_this_weeks_check_in_and_replans_from_today(
    seed, open_tab
) -> None:
    user = enrolled("emre", seed, hours_per_week=5)
    tab = open_tab("emre")
    page = tab.page
    sign_in(tab, "emre")
    tab.go(f"/roadmaps/{SLUG}/dashboard/")
    page.get_by_label("Hours studied this week").fill("4")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("button", name="Update my check-in")).to_be_visible()

    earlier = services.local_today(user) - timedelta(weeks=3)
    page.get_by_role("link", name="Change your plan").click()
    page.get_by_label("Start date").fill(earlier.isoformat())
    page.get_by_role("button", name="Save my plan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Week 4 of \d+$"))
    expect(page.get_by_text("Your plan is saved.")).to_be_visible()
    # Today's check-in is still this week's (week 4), not moved back to week 1.
    expect(page.get_by_label("Hours studied this week")).to_have_value("4")
    expect(page.get_by_role("button", name="Update my check-in")).to_be_visible()
    expect(page.get_by_text("ahead of your plan")).to_have_count(0)
    expect(page.get_by_text("behind your plan")).to_have_count(0)
    # The plan starts this week: this week has topics.
    expect(page.locator("#plan-now .topic-list__item").first).to_be_visible()
    shot(tab, "plan with an earlier start date")
    assert list(WeeklyCheckIn.objects.filter(user=user).values_list("week", "hours")) == [(4, 4)]


# -- 4. where the learner was going, and what they see once enrolled


def confirmation_link(email: str) -> str:
    sent = [message for message in mail.outbox if email in message.to]
    assert len(sent) == 1, [message.subject for message in mail.outbox]
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", sent[0].body)
    assert match, sent[0].body
    return match.group(0)


def test_sign_up_confirm_and_sign_in_keeps_where_the_learner_was_going(seed, open_tab) -> None:
    tab = open_tab("newcomer")
    page = tab.page
    tab.go("/")
    page.get_by_role("link", name="Start the roadmap").first.click()
    page.get_by_label("Email").fill("ines@mail.example")
    page.get_by_label("Username").fill("ines")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(confirmation_link("ines@mail.example"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You have confirmed ines@mail.example.")).to_be_visible()
    page.get_by_label("Username or email").fill("ines")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/roadmaps/{SLUG}/enrol/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Start the {seed.title}")
    shot(tab, "enrol form after signing up")


def test_an_enrolled_learner_is_offered_to_continue_not_to_start(seed, open_tab) -> None:
    user = enrolled("farah", seed)
    topic = first_topic(seed)
    services.topic_progress_put(user=user, topic=topic, status="done")
    following = Topic.objects.active().filter(roadmap=seed).order_by("phase__number", "order")[1]
    tab = open_tab("farah")
    page = tab.page
    sign_in(tab, "farah")
    for path in ["/", f"/roadmaps/{SLUG}/", topic_path(topic)]:
        tab.go(path)
        expect(page.get_by_role("link", name="Start the roadmap")).to_have_count(0)
    tab.go("/")
    expect(page.get_by_role("link", name=f"Continue: {following.title}")).to_be_visible()
    shot(tab, "home for an enrolled learner")
    page.get_by_role("link", name=f"Continue: {following.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(following.title)


# -- 5. finding your way


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_finding_your_way_from_the_header_and_the_topic_pages(seed, open_tab, javascript) -> None:
    enrolled("gus", seed)
    first, second = (
        Topic.objects.active().filter(roadmap=seed).order_by("phase__number", "order")[:2]
    )
    tab = open_tab("gus", java_script_enabled=javascript, viewport={"width": 390, "height": 844})
    page = tab.page
    sign_in(tab, "gus")
    expect(page.get_by_role("link", name="My submissions")).to_be_visible()
    page.get_by_role("link", name="My plan (week 1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Week 1 of \d+$"))
    # Plain percentages, a legend for the chart, a webcal: subscription on SITE_URL.
    expect(page.locator("#plan-progress .progress__value").first).to_have_text("0 %")
    expect(page.locator(".chart-legend")).to_contain_text("Hours checked in")
    # On a phone the week chart scrolls sideways, and says so.
    expect(page.get_by_text("Scroll sideways to see every week.")).to_be_visible()
    chart = page.get_by_role("region", name="Week by week chart")
    assert chart.evaluate("element => element.scrollWidth > element.clientWidth")
    subscribe = page.get_by_role("link", name="Subscribe in my calendar app")
    expect(subscribe).to_have_attribute(
        "href", re.compile(r"^webcal://127\.0\.0\.1:8000/calendar/[\w-]+\.ics$")
    )
    copy = page.get_by_role("button", name="Copy the link")
    expect(copy).to_have_count(1 if javascript else 0)  # hidden without JavaScript

    tab.go(topic_path(first))
    expect(page.get_by_role("link", name=f"Next: {second.title}")).to_be_visible()
    page.get_by_role("button", name="Done, on to the next topic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)
    expect(page.get_by_role("link", name=f"Previous: {first.title}")).to_be_visible()
    shot(tab, "topic page on a phone")
    assert TopicProgress.objects.get(user__username="gus", topic=first).status == "done"
