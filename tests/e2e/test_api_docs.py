"""/api/docs/ in Chromium: the site's header around Swagger UI, every tag group rendered with
its description, no serious or critical axe-core violation, within the CSP (the tab's console
watch fails on any violation), at 1366 and 390 px, light, dark and dark by the theme switch.
And a contributor's public page, looked at the same way."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from apps.roadmap.models import Resource, Topic
from apps.roadmap.templatetags.roadmap_tags import THEME_COOKIE
from tests.factories import approved
from tests.support.browser import Tab, make_user

pytestmark = pytest.mark.e2e

AXE_URL = "/static/vendor/axe-core/axe.min.js"
FAILING = ("serious", "critical")
TAGS = ["roadmap", "progress", "community", "moderation", "link health", "account"]
SCHEMES = ["light", "dark", "dark by the theme switch"]
WIDTHS = [1366, 390]


def open_scheme(open_tab, name: str, scheme: str, width: int, base_url: str) -> Tab:
    viewport = {"width": width, "height": 900}
    if scheme == "dark by the theme switch":
        tab = open_tab(name, color_scheme="light", viewport=viewport)
        tab.page.context.add_cookies([{"name": THEME_COOKIE, "value": "dark", "url": base_url}])
        return tab
    return open_tab(name, color_scheme=scheme, viewport=viewport)


def serious_violations(tab: Tab) -> list[str]:
    tab.page.add_script_tag(url=AXE_URL)
    results: dict[str, Any] = tab.page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
    )
    assert len(results["passes"]) >= 10  # axe ran its rules on this page
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in FAILING
    ]


def fits(tab: Tab) -> bool:
    return tab.page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_api_docs_is_a_site_page_grouped_by_tag_without_serious_violations(
    db, open_tab, live_server, scheme: str, width: int
) -> None:
    tab = open_scheme(open_tab, f"{scheme}-{width}", scheme, width, live_server.url)
    tab.go("/api/docs/")
    page = tab.page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="ML Engineer Roadmap")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="API documentation")).to_be_visible()
    for tag in TAGS:  # Swagger UI renders one section per tag, with its description
        expect(page.locator(f'.opblock-tag[data-tag="{tag}"]')).to_have_count(1)
    expect(page.locator(".opblock-tag-section .opblock").first).to_be_visible()
    background = page.evaluate("() => getComputedStyle(document.querySelector('.api-docs')).filter")
    assert (background != "none") is (scheme != "light"), background
    assert fits(tab), "the page is wider than the screen"
    tab.shot("api docs")
    violations = serious_violations(tab)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("width", WIDTHS)
def test_contributor_page_reads_well_on_a_phone_and_a_desktop(
    seed, open_tab, live_server, width: int
) -> None:
    sam = make_user("sam")
    topic = Topic.objects.active().filter(roadmap=seed).order_by("order").first()
    resource = approved(seed, topic, url="https://docs.example/sam", submitted_by=sam)
    Resource.objects.filter(pk=resource.pk).update(upvotes=4, downvotes=1)
    for scheme in ("light", "dark"):
        tab = open_scheme(open_tab, f"{scheme}-{width}", scheme, width, live_server.url)
        tab.go(f"/roadmaps/{seed.slug}/topics/{topic.slug}/")
        tab.page.get_by_role("link", name="Sam", exact=True).click()
        expect(tab.page.get_by_role("heading", level=1, name="Sam")).to_be_visible()
        expect(tab.page.get_by_role("link", name="A good page")).to_be_visible()
        assert fits(tab), "the page is wider than the screen"
        tab.shot("contributor page")
        violations = serious_violations(tab)
        assert not violations, "\n".join(violations)
