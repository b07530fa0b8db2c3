"""The client address of a request: the one answer every per-address rate limit counts by.

allauth's limits (through `apps.accounts.adapter.AccountAdapter.get_client_ip`) and the token
endpoint's throttle (`apps.accounts.throttling`) both ask `client_address`, so the two can
never disagree about who a client is.

`settings.TRUSTED_PROXY_COUNT` is how many reverse proxies of ours stand in front of the web
process. Each appends the address it received the request from to X-Forwarded-For, so the
entry that many places from the right is the client as our outermost proxy saw it. Entries
further left were sent by the client itself and can say anything: they are never used.
With 0 (`make run`, no proxy) the header is ignored entirely. A header that is missing, too
short or not an address there means the request did not come through our proxies as
expected; it then counts under the connecting address (REMOTE_ADDR), which can only make the
limit stricter for whoever sent it, never looser.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request


def _address(value: str | None) -> str | None:
    """The address written the one way (IPv6 compressed), or None for anything else."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest | Request) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR"))
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        return remote
    return _address(hops[-proxies]) or remote
