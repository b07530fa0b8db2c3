"""Access labels and the "free only" filter in Chromium: the labels with their dates, the
filter as plain links, nothing scrolling sideways at 1366 px or 390 px, light and dark
(screenshots under test-artifacts/e2e/)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.roadmap.models import Resource, Topic

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SEEN = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SECTION = "section[aria-labelledby=resources-title]"


def section_shot(tab, step: str) -> None:
    """A full-page screenshot, and one of the resources section alone beside it."""
    path = tab.shot(step).with_suffix(".section.png")
    tab.page.locator(SECTION).screenshot(path=str(path))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_labels_and_the_free_filter_fit_the_screen(seed, open_tab, scheme) -> None:
    topic = Topic.objects.get(roadmap=seed, slug="ml-in-research-vs-production")
    resources = list(Resource.objects.approved().filter(topic=topic).order_by("pk"))
    assert len(resources) >= 4
    labels = [
        Resource.Access.PAYWALLED,
        Resource.Access.SIGNIN_REQUIRED,
        Resource.Access.ARCHIVED,
        Resource.Access.NEWER_VERSION,
    ]
    for item, access in zip(resources, labels, strict=False):
        Resource.objects.filter(pk=item.pk).update(access=access, access_seen_at=SEEN)
    url = f"/roadmaps/{SLUG}/topics/{topic.slug}/"
    for size, viewport in SIZES.items():
        tab = open_tab(f"access-{scheme}-{size}", viewport=viewport, color_scheme=scheme)
        page = tab.page
        tab.go(url + "#resources-title")
        for label in ("Paid", "Sign-in needed", "Archived", "Newer version available"):
            assert page.locator(".badge", has_text=label).count() == 1, label
        assert page.get_by_text("Paid seen 4 May 2026").count() == 1
        section_shot(tab, f"labels {scheme} {size}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= viewport["width"], (size, width)

        page.get_by_role("link", name="free only").click()
        page.wait_for_url("**free=1**")
        assert page.locator(".badge", has_text="Paid").count() == 0
        assert page.locator(".badge", has_text="Sign-in needed").count() == 1
        section_shot(tab, f"free only {scheme} {size}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= viewport["width"], (size, width)
