"""allauth's account adapter, where the site differs from allauth's defaults."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts.client_address import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's per-address limits count by: the site's one answer."""
        address = client_address(request)
        if address is None:
            raise PermissionDenied("Unable to determine the client's address.")
        return address
