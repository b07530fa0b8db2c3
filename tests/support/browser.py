"""Driving Chromium in browser tests: a watched tab with numbered screenshots, signing in,
the keyboard. The fixtures that start the browser are in tests/e2e/conftest.py."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management import call_command
from playwright.sync_api import Locator, Page

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
AXE_JS = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "a long e2e passphrase 2024"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def make_user(username: str, *, moderator: bool = False):
    """A user who can sign in: password set, email verified (allauth requires it)."""
    user = UserFactory(username=username, display_name=username.title(), password=PASSWORD)
    if moderator:
        call_command("moderator", "add", username, stdout=io.StringIO())
    return user


@dataclass
class Tab:
    """A page with its console watched and its screenshots numbered."""

    page: Page
    name: str
    problems: list[str] = field(default_factory=list)
    steps: int = 0
    # (url, status) answers the test provokes on purpose, e.g. a form sent with errors.
    expected_errors: set[tuple[str, int]] = field(default_factory=set)

    def shot(self, step: str) -> Path:
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = ARTIFACTS / self.name / f"{self.steps:02d}-{slug}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def expect_error_status(self, path: str, status: int) -> None:
        """The next answer from this path is meant to be an error: Chromium logs it, we allow it."""
        self.expected_errors.add((path, status))

    def go(self, path: str) -> None:
        """Open a path of the live server; it must answer 2xx (after redirects)."""
        response = self.page.goto(path)
        assert response is not None, path
        assert response.ok, f"GET {path} answered {response.status}"


_STATUS_MESSAGE = re.compile(
    r"^Failed to load resource: the server responded with a status of (\d+)"
)


def watch(tab: Tab) -> None:
    page, problems = tab.page, tab.problems

    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        source = message.location.get("url") or page.url
        status = _STATUS_MESSAGE.match(message.text)
        if status and (urlsplit(source).path, int(status.group(1))) in tab.expected_errors:
            return
        problems.append(f"console error on {page.url} ({source}): {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 500:
            problems.append(f"{response.status} from {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
    page.on("response", on_response)


def sign_in(tab: Tab, username: str) -> None:
    page = tab.page
    tab.go("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").is_visible(), page.url
    tab.shot(f"signed in as {username}")


def is_focused(locator: Locator) -> bool:
    """Whether the focus is on the element, or on one of the elements, the locator finds."""
    return locator.evaluate_all("elements => elements.includes(document.activeElement)")


def tab_to(page: Page, target: Locator, *, limit: int = 250) -> None:
    """Press Tab until the target (or one of its elements) has the focus, as a person would.

    A radio group is one stop of the Tab key: it lands on the checked radio, or the first.
    """
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
    raise AssertionError(f"{target} never got the focus after {limit} presses of Tab")
