"""The revisions page and the public moderation log in Chromium: nothing scrolls sideways at
1366 px or on a 390 px phone, in the light and the dark theme (screenshots of each under
test-artifacts/e2e/), and the roadmap page's "Contributions welcome" fits a phone too."""

from __future__ import annotations

import pytest

from apps.moderation.services import topics
from apps.roadmap.models import Topic
from tests.support.browser import make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
REVISIONS = f"/moderation/roadmaps/{SLUG}/topics/ml-in-research-vs-production/revisions/"


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def viewport_shot(tab, step: str, selector: str) -> None:
    """A screenshot of the screen with `selector` at its top, beside the full-page one."""
    tab.page.locator(selector).first.scroll_into_view_if_needed()
    tab.page.screenshot(path=str(tab.shot(step).with_suffix(".viewport.png")))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_revisions_and_log_fit_the_screen(seed, open_tab, scheme) -> None:
    moderator = make_user(f"mod{scheme}", moderator=True)
    topic = Topic.objects.get(roadmap=seed, slug="ml-in-research-vs-production")
    # The seed's longest text, edited in its middle, plus a long unbroken URL.
    body = topic.body_md.replace("reliability, scalability", "reliability, cost, scalability")
    body += "\n\nSee https://docs.example/" + "a-very-long-path-segment-" * 12
    topics.topic_edit(actor=moderator, topic=topic, body=body, reason="Cost matters too.")
    first = topic.history.order_by("history_date").first().history_id
    topics.topic_revert(
        actor=moderator, topic=topic, revision_id=first, reason="Back to the README's words."
    )
    for size, viewport in SIZES.items():
        tab = open_tab(f"{scheme}-{size}", viewport=viewport, color_scheme=scheme)
        sign_in(tab, moderator.username)
        tab.go(REVISIONS)
        page = tab.page
        viewport_shot(tab, f"revisions {scheme} {size}", "table.revision-changes")
        assert page.locator("ins").count() > 0 and page.locator("del").count() > 0
        assert page.get_by_text("Back to the README's words.").count() == 1
        assert page_width(page) <= viewport["width"], (size, page_width(page))
        tab.go("/modlog/?action=revert")
        viewport_shot(tab, f"modlog {scheme} {size}", "form.modlog-filter")
        assert page.get_by_role("link", name=topic.title).count() == 1
        assert page_width(page) <= viewport["width"], (size, page_width(page))
        tab.go(f"/roadmaps/{SLUG}/#contribute")
        viewport_shot(tab, f"contribute {scheme} {size}", "#contribute")
        assert page_width(page) <= viewport["width"], (size, page_width(page))
