"""allauth's account adapter, where the site differs from allauth's defaults.

- The client address allauth's per-address limits count by is the site's one answer
  (apps.accounts.client_address, TRUSTED_PROXY_COUNT).
- A signup's `next` survives the email confirmation to the first sign-in
  (apps.accounts.next_page).
- Its emails name the site by SITE_NAME and SITE_URL. Without django.contrib.sites, allauth
  takes the "current site" from the request, so a message greeted the reader with the host and
  port it was sent from ("Hello from 127.0.0.1:8000!").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts.client_address import client_address
from apps.accounts.next_page import NextAfterSignupMixin


@dataclass(frozen=True)
class SiteIdentity:
    """What allauth's email templates read from `current_site`."""

    name: str
    domain: str


def site_identity() -> SiteIdentity:
    return SiteIdentity(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(NextAfterSignupMixin):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's per-address limits count by: the site's one answer."""
        address = client_address(request)
        if address is None:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": site_identity()})
