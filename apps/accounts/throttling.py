"""Rate limits for the token endpoint, counted in the cache (Redis when configured).

Fixed windows counted with `cache.add` + `cache.incr`, which are atomic on Redis and on the
local-memory cache, so parallel requests cannot slip past the limit. The client address is
`apps.accounts.client_address`, the same answer allauth's limits use (never DRF's own reading
of X-Forwarded-For, which a client can rotate).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.accounts.client_address import client_address


def parse_rate(rate: str) -> tuple[int, int]:
    """'20/3600' → (20 requests, 3600 seconds)."""
    try:
        count, seconds = (int(part) for part in rate.split("/"))
    except ValueError:
        raise ImproperlyConfigured(f"A rate is '<count>/<seconds>'; got {rate!r}") from None
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"A rate needs a positive count and window; got {rate!r}")
    return count, seconds


class WindowThrottle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def identity(self, request: Request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view) -> bool:
        identity = self.identity(request, view)
        if identity is None:
            return True
        count, seconds = parse_rate(settings.API_TOKEN_RATE_LIMITS[self.scope])
        now = time.time()
        window = int(now // seconds)
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        key = f"accounts:rl:{self.scope}:{seconds}:{window}:{digest}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            used = cache.incr(key)
        except ValueError:
            # The key expired between add and incr: this is the first hit of a new window.
            cache.add(key, 1, timeout=seconds + 1)
            used = 1
        if used <= count:
            return True
        self.retry_after = (window + 1) * seconds - now
        return False

    def wait(self) -> float | None:
        return self.retry_after


class TokenCreateAddressThrottle(WindowThrottle):
    scope = "ip"

    def identity(self, request: Request, view) -> str | None:
        # No address at all (never under a real server) shares one window: stricter, not looser.
        return client_address(request) or "unknown"


class TokenCreateLoginThrottle(WindowThrottle):
    """Per login name, so spreading guesses over many addresses does not help."""

    scope = "login"

    def identity(self, request: Request, view) -> str | None:
        login = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(login, str) or not login.strip():
            return None
        return login.strip().lower()
