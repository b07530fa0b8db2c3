"""The link checker as this site runs it: its SSRF guard and its configuration, from settings.

One place for the services (sweeps, "check now"), the worker and both commands (`check_urls`,
`check_links`). Reads settings only: no model, no database.
"""

from __future__ import annotations

from django.conf import settings

from apps.linkcheck.checker import CheckerConfig
from apps.linkcheck.guard import Guard


def user_agent() -> str:
    """Names the site and where its operators can be reached."""
    return f"Mozilla/5.0 (compatible; {settings.SITE_NAME} link checker; +{settings.SITE_URL}/)"


def link_guard() -> Guard:
    """LINKCHECK_ALLOW_PRIVATE and LINKCHECK_ALLOW_HOSTS; nothing else lets an address through."""
    return Guard(
        allow_private=settings.LINKCHECK_ALLOW_PRIVATE,
        allow_hosts=settings.LINKCHECK_ALLOW_HOSTS,
    )


def link_checker_config() -> CheckerConfig:
    return CheckerConfig(user_agent=user_agent())
