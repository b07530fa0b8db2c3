"""API token authentication: knox's hashed, expiring tokens with either header prefix.

`Authorization: Token <key>` and `Authorization: Bearer <key>` are both accepted. Each use is
recorded on the token's ApiToken row, at most once a minute per token.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.request import Request

from apps.accounts import services

PREFIXES = frozenset({b"token", b"bearer"})


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate(self, request: Request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in PREFIXES:
            # No header, or one meant for another scheme: let the next authenticator look.
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: send 'Token <key>' or 'Bearer <key>'.")
            )
        user, auth_token = self.authenticate_credentials(parts[1])
        services.api_token_record_use(auth_token=auth_token)
        return user, auth_token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'
