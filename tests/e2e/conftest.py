"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test opens is watched: a console message of level error (which is also how
Chromium reports a CSP violation or a failed asset), an uncaught exception or a 5xx answer
fails the test when it ends. Each step leaves a screenshot under test-artifacts/e2e/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from apps.roadmap.api import forget_local_trees
from tests.support.browser import ARTIFACTS, CHROMIUM_ARGS, Tab, watch

# pytest-django's live server listens on "localhost" unless told otherwise; the issue asks for
# 127.0.0.1. Only the live_server fixture reads this variable, and only these tests use it.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


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
def _no_local_trees() -> None:
    """No roadmap tree kept in this process from an earlier test. (Fast password hashing and a
    cache key prefix of the test's own, which the live server shares, come from the root
    conftest's autouse fixtures.)"""
    forget_local_trees()


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
