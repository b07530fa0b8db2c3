"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test opens is watched: a console message of level error (which is also how
Chromium reports a CSP violation or a failed asset), an uncaught exception or a 5xx answer
fails the test when it ends. Each step leaves a screenshot under test-artifacts/e2e/.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, sync_playwright

from apps.accounts.models import User
from apps.roadmap.api import forget_local_trees
from apps.roadmap.models import Roadmap

# pytest-django's live server listens on "localhost" unless told otherwise; the issue asks for
# 127.0.0.1. Only the live_server fixture reads this variable, and only these tests use it.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

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


class _BrowserHolder:
    """One Chromium per test module, launched on first use.

    Playwright's sync API keeps an asyncio loop marked as running on this thread while it is
    alive, which Django's async-safety check mistakes for async code around every ORM call of
    the test itself (the live server runs in its own thread and is unaffected). So the check
    is switched off for exactly the lifetime of the browser, and the browser lives no longer
    than its module: tests in other modules see neither.
    """

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None
        self._previous_env: str | None = None

    def get(self, executable: str) -> Browser:
        if self.browser is None:
            self._previous_env = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            self.playwright = sync_playwright().start()
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            # launch() gives every browser a fresh temporary profile (user-data dir).
            self.browser = self.playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        return self.browser

    def close(self) -> None:
        if self.browser is not None:
            self.browser.close()
        if self.playwright is not None:
            self.playwright.stop()
        if self._previous_env is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._previous_env
        self.browser = self.playwright = None


@pytest.fixture(scope="module")
def _browser_holder() -> Iterator[_BrowserHolder]:
    holder = _BrowserHolder()
    yield holder
    holder.close()


@pytest.fixture
def browser(chromium_path: str, _browser_holder: _BrowserHolder) -> Browser:
    return _browser_holder.get(chromium_path)


@pytest.fixture(autouse=True)
def _needs_chromium(chromium_path: str) -> None:
    """Every test here drives Chromium: skip (or fail) before loading any data when it is absent."""


@pytest.fixture(autouse=True)
def _e2e_settings(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate limits and cached roadmap trees live in the cache, which may be a Redis other test
    # processes share: a key prefix of our own starts each test from zero without flushing it.
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-e2e-{uuid.uuid4().hex}"
    settings.CACHES = caches
    forget_local_trees()


@pytest.fixture
def seed(transactional_db) -> Roadmap:
    """The seed roadmap and its enrichment, loaded by the commands `make seed` runs."""
    fixtures = ROOT / "fixtures"
    readme = fixtures / "ml-engineer-roadmap.md"
    out = io.StringIO()
    call_command("import_roadmap", str(readme), "--slug", "ml-engineer", stdout=out)
    call_command("load_enrichment", str(fixtures / "ml-engineer-enrichment.json"), stdout=out)
    forget_local_trees()
    return Roadmap.objects.get(slug="ml-engineer")


def make_user(username: str, *, moderator: bool = False) -> User:
    """A user who can sign in: password set, email verified (allauth requires it)."""
    user = User.objects.create_user(
        username, f"{username}@mail.example", PASSWORD, display_name=username.title()
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
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


@pytest.fixture
def open_tab(browser: Browser, live_server, request) -> Iterator[Any]:
    """open_tab(name, **context_options) -> Tab: a new browser context, watched."""
    contexts: list[BrowserContext] = []
    tabs: list[Tab] = []
    test_name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")
    shutil.rmtree(ARTIFACTS / test_name, ignore_errors=True)  # only this run's screenshots

    def factory(name: str, **options: Any) -> Tab:
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page=page, name=f"{test_name}/{name}")
        watch(tab)
        tabs.append(tab)
        return tab

    yield factory
    for context in contexts:
        context.close()
    problems = [problem for tab in tabs for problem in tab.problems]
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


def sign_in(tab: Tab, username: str) -> None:
    page = tab.page
    tab.go("/accounts/login/")
    page.get_by_label("Login").fill(username)
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
