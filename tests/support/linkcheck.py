"""The link checker as its tests drive it: short timeouts, loopback allowed."""

from __future__ import annotations

import asyncio

from apps.linkcheck.checker import CheckerConfig, LinkChecker, LinkResult
from apps.linkcheck.guard import Guard
from bench.linkcheck_server import Site

# Short timeouts and backoff so the suite stays fast; politeness tests set their own gaps.
FAST = CheckerConfig(
    host_gap=0.0,
    backoff=0.02,
    connect_timeout=1.0,
    read_timeout=0.3,
    check_timeout=1.5,
    retry_after_cap=5.0,
)
LOOPBACK = Guard(allow_private=True)


def check(
    urls: list[str],
    *,
    guard: Guard = LOOPBACK,
    config: CheckerConfig = FAST,
    **checker_options: object,
) -> list[LinkResult]:
    async def run() -> list[LinkResult]:
        async with LinkChecker(guard, config, **checker_options) as checker:
            return await checker.check_many(urls)

    return asyncio.run(run())


def check_one(url: str, **options: object) -> LinkResult:
    return check([url], **options)[0]


def methods(site: Site, path: str) -> list[str]:
    """The methods of the requests `site` received for `path`, in order."""
    return [request.method for request in site.stats.requests if request.path == path]
