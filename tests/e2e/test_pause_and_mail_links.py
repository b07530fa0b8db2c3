"""Pause my plan on the dashboard and the email links' pages (unsubscribe, re-plan), at
1366 and 390 px, light and dark: no horizontal scroll, and the buttons work without
JavaScript."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from apps.mail import services as mail
from apps.progress import selectors, services
from tests.support.browser import ARTIFACTS, make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _fits(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _copy_to_shots(tab_name: str) -> None:
    """Also under /tmp/shots/h19b when SHOTS_DIR names it (the lead looks there)."""
    import os

    target = os.environ.get("SHOTS_DIR")
    if target:
        for path in (ARTIFACTS / tab_name).glob("*.png"):
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(target) / f"{tab_name.replace('/', '-')}-{path.name}")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pause_resume_and_the_mail_links(seed, open_tab, viewport, scheme) -> None:
    username = f"paula{viewport}{scheme}"
    user = make_user(username)
    user.email_weekly_digest = True
    user.save(update_fields=["email_weekly_digest"])
    services.enrollment_put(user=user, roadmap=seed, hours_per_week=10)
    tab = open_tab(
        f"{viewport}-{scheme}",
        viewport=VIEWPORTS[viewport],
        color_scheme=scheme,
        java_script_enabled=False,
    )
    page = tab.page
    sign_in(tab, username)
    tab.go(f"/roadmaps/{SLUG}/dashboard/")
    page.get_by_role("button", name="Pause my plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your plan is paused").is_visible()
    page.get_by_role("heading", name="Your plan is paused").scroll_into_view_if_needed()
    _fits(page)
    tab.shot("paused")
    page.get_by_role("button", name="Resume my plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Pause my plan").is_visible()
    tab.shot("resumed")

    tab.go(urlsplit(mail.unsubscribe_url(user=user, kind="weekly")).path)
    _fits(page)
    tab.shot("unsubscribe-confirm")
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Unsubscribed").is_visible()
    tab.shot("unsubscribed")

    enrollment = selectors.enrollment_of(user=user, roadmap=seed)
    tab.go(f"/mail/replan/{mail.replan_token(enrollment=enrollment)}/")
    _fits(page)
    tab.shot("replan-confirm")
    page.get_by_role("button", name="Re-plan from this week").click()
    page.wait_for_load_state()
    assert f"/roadmaps/{SLUG}/dashboard/" in page.url  # signed in as the owner: the dashboard
    _copy_to_shots(tab.name)
