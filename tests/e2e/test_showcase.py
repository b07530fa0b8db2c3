"""The showcase and the review flow in Chromium, at 1366 px and on a 390 px phone, light and
dark: like with the button (htmx), review as a peer, reply as the author, flag; nothing
scrolls sideways. Screenshots of each step under test-artifacts/e2e/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.solutions.models import Evidence, Solution
from tests.factories import ProjectFactory
from tests.support.browser import make_user, sign_in

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def solution_of(user: User, project, n: int, **extra) -> Solution:
    solution = Solution.objects.create(
        learner=user,
        project=project,
        repository_url=f"https://github.example/{user.username}/fraud-detection-api-{n}",
        forge=Solution.Forge.GITHUB,
        repository_path=f"{user.username}/fraud-detection-api-{n}",
        write_up_md="A FastAPI service with a **Redis** cache, in a container.",
        **extra,
    )
    Evidence.objects.bulk_create(
        [Evidence(solution=solution, kind=kind, present=True) for kind in ("tests", "ci")]
    )
    return solution


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_showcase_and_review_flow(roadmap, open_tab, scheme) -> None:
    project = ProjectFactory(roadmap=roadmap, slug="fraud-api", title="Fraud-detection API")
    author = make_user(f"alan{scheme}")
    peer = make_user(f"petra{scheme}")
    fan = make_user(f"fran{scheme}")
    User.objects.filter(pk=fan.pk).update(date_joined=timezone.now() - timedelta(days=30))
    solution = solution_of(author, project, 1, demo_url="https://demo.example/", demo_ok=True)
    solution_of(peer, project, 2)
    showcase = f"/roadmaps/{roadmap.slug}/projects/fraud-api/showcase/"
    reviews = f"/solutions/{solution.pk}/reviews/"
    for size, viewport in SIZES.items():
        fan_tab = open_tab(f"{scheme}-{size}-fan", viewport=viewport, color_scheme=scheme)
        sign_in(fan_tab, fan.username)
        fan_tab.go(showcase)
        page = fan_tab.page
        button = page.locator(f"#like-{solution.pk}")
        if button.get_attribute("aria-pressed") == "false":
            button.click()
            page.wait_for_selector(f'#like-{solution.pk}[aria-pressed="true"]')
        fan_tab.shot(f"showcase {scheme} {size}")
        assert page_width(page) <= viewport["width"], (size, page_width(page))
        page.get_by_label("Has tests").check()
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state()
        assert "only=tests" in page.url
        fan_tab.go(f"/solutions/{solution.pk}/flag/")
        fan_tab.shot(f"flag form {scheme} {size}")
        assert page_width(page) <= viewport["width"], (size, page_width(page))

        peer_tab = open_tab(f"{scheme}-{size}-peer", viewport=viewport, color_scheme=scheme)
        sign_in(peer_tab, peer.username)
        peer_tab.go(reviews)
        if size == "desktop":
            peer_tab.page.get_by_label("Your review").fill(
                "Clear README. Add a test for the cache's expiry, and pin the base image."
            )
            peer_tab.page.get_by_role("button", name="Publish the review").click()
            peer_tab.page.wait_for_load_state()
        peer_tab.shot(f"review written {scheme} {size}")
        assert page_width(peer_tab.page) <= viewport["width"]

        author_tab = open_tab(f"{scheme}-{size}-author", viewport=viewport, color_scheme=scheme)
        sign_in(author_tab, author.username)
        author_tab.go(reviews)
        apage = author_tab.page
        if size == "desktop":
            apage.get_by_text("Reply").first.click()
            apage.get_by_label("Your reply").fill("Thanks: both done in the latest commit.")
            apage.get_by_role("button", name="Send the reply").click()
            apage.wait_for_load_state()
            apage.get_by_role("button", name="Ask for a review").click()
            apage.wait_for_load_state()
        assert apage.get_by_text("replied").count() == 1
        author_tab.shot(f"author's view {scheme} {size}")
        assert page_width(apage) <= viewport["width"], (size, page_width(apage))
        author_tab.go(f"/roadmaps/{roadmap.slug}/projects/fraud-api/review-queue/")
        author_tab.shot(f"review queue {scheme} {size}")
        assert page_width(apage) <= viewport["width"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_moderator_decides_a_flag(roadmap, open_tab, scheme) -> None:
    from apps.showcase import services

    project = ProjectFactory(roadmap=roadmap, slug="fraud-api", title="Fraud-detection API")
    author, fan = make_user(f"alan{scheme}"), make_user(f"fran{scheme}")
    moderator = make_user(f"maud{scheme}", moderator=True)
    solution = solution_of(author, project, 1)
    services.flag_create(
        user=fan, solution=solution, reason="insecure", note="An API key is in config.py."
    )
    for size, viewport in SIZES.items():
        tab = open_tab(f"{scheme}-{size}-moderator", viewport=viewport, color_scheme=scheme)
        sign_in(tab, moderator.username)
        tab.go("/moderation/?tab=flags")
        tab.shot(f"flags tab {scheme} {size}")
        assert page_width(tab.page) <= viewport["width"], (size, page_width(tab.page))
        tab.page.get_by_role("link", name="Decide").first.click()
        tab.page.wait_for_load_state()
        tab.shot(f"decide a flag {scheme} {size}")
        assert page_width(tab.page) <= viewport["width"], (size, page_width(tab.page))
