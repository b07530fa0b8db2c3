"""Journey (b): a resource goes from a learner's suggestion to a moderator's approval, into the
public moderation log, and onto the topic page where a third person votes for it.

Three people, three browser contexts (separate cookies) open side by side.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.community.models import Vote
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Resource, Topic
from tests.support.browser import make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
URL = "https://docs.example/guide"
TITLE = "A gentle guide to gradient descent"


def test_suggest_approve_log_and_vote(seed, open_tab) -> None:
    make_user("sam")
    make_user("maud", moderator=True)
    make_user("val")
    topic = Topic.objects.active().filter(roadmap=seed).order_by("order").first()

    # The learner suggests a resource for the topic, from the topic's own page.
    learner = open_tab("learner")
    page = learner.page
    sign_in(learner, "sam")
    learner.go(f"/roadmaps/{SLUG}/topics/{topic.slug}/")
    page.get_by_role("link", name=f"Suggest a resource for {topic.title}").click()
    expect(page.get_by_label("Topic")).to_have_value(str(topic.pk))
    page.get_by_label("Link").fill(URL)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Kind").select_option(index=1)
    page.get_by_label("Why it helps (optional)").fill("Short, with *pictures*.")
    learner.shot("suggest form")
    page.get_by_role("button", name="Suggest this resource").click()
    expect(page).to_have_url(re.compile(r"/my/submissions/$"))
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Pending")
    learner.shot("my submissions pending")
    resource = Resource.objects.get(url=URL)

    # The moderator, in a second context, approves it from the queue.
    moderator = open_tab("moderator")
    page = moderator.page
    sign_in(moderator, "maud")
    moderator.go("/moderation/")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_be_visible()
    moderator.shot("queue")
    row.get_by_role("link", name=re.compile(r"^Approve")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Approve “{TITLE}”")
    moderator.shot("approve page")
    page.get_by_role("button", name="Approve it").click()
    expect(page).to_have_url(re.compile(r"/moderation/"))
    expect(page.get_by_role("status")).to_contain_text(f"Approved “{TITLE}”.")
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_have_count(0)
    moderator.shot("approved")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.APPROVED

    # Anyone finds the decision in the public log.
    public = open_tab("public")
    page = public.page
    public.go("/")
    page.get_by_role("link", name="Moderation log").click()
    entry = page.get_by_role("row").filter(has_text=TITLE)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Maud")
    public.shot("moderation log")
    assert ModerationAction.objects.filter(target_id=resource.pk).count() == 1

    # The learner sees the decision too.
    learner.page.reload()
    expect(learner.page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("Approved")
    learner.shot("my submissions approved")

    # A third person votes for it on the topic page; the vote survives a reload.
    voter = open_tab("voter")
    page = voter.page
    sign_in(voter, "val")
    voter.go(f"/roadmaps/{SLUG}/topics/{topic.slug}/")
    item = page.locator(f"#resource-{resource.pk}")
    expect(item.get_by_role("link", name=TITLE, exact=True)).to_have_attribute("href", URL)
    upvote = item.get_by_role("button", name=f"Upvote {TITLE}")
    upvote.click()
    withdraw = item.get_by_role("button", name=f"Withdraw my upvote for {TITLE}")
    expect(withdraw).to_have_attribute("aria-pressed", "true")
    expect(item.locator(".vote-score")).to_contain_text("1")
    voter.shot("voted")
    page.reload()
    expect(withdraw).to_have_attribute("aria-pressed", "true")
    voter.shot("vote kept after reload")
    assert Vote.objects.filter(resource=resource, user__username="val", value=1).count() == 1
