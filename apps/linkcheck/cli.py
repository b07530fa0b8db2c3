"""What the link-health commands (`check_urls`, `check_links`) add to the project's CLI helpers
(roadmap_site.cli): the progress bar counts each finished check under its verdict."""

from __future__ import annotations

from collections.abc import Callable

from apps.linkcheck.checker import LinkResult
from roadmap_site.cli import ProgressBar


def by_verdict(bar: ProgressBar | None) -> Callable[[LinkResult], None] | None:
    """The checker's `on_result` callback that moves `bar` on (None without a bar)."""
    if bar is None:
        return None
    return lambda result: bar(str(result.verdict))
