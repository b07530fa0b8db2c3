"""System checks for link checking."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def private_addresses_allowed(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """A deploy check: the SSRF guard must not let private addresses through in production."""
    if not settings.LINKCHECK_ALLOW_PRIVATE:
        return []
    return [
        Warning(
            "LINKCHECK_ALLOW_PRIVATE is on: the link checker will connect to loopback and "
            "private addresses, so a submitted URL can reach this network.",
            hint="Unset LINKCHECK_ALLOW_PRIVATE; it is for tests and benchmarks only. To let "
            "one staging host through, list it in LINKCHECK_ALLOW_HOSTS as host:port.",
            id="linkcheck.W001",
        )
    ]
