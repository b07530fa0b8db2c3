"""API token authentication: knox's hashed, expiring tokens with either header prefix.

`Authorization: Token <key>` and `Authorization: Bearer <key>` are both accepted. Each use is
recorded on the token's ApiToken row, at most once a minute per token. A key that could not
be one of ours (not ASCII letters and digits: raw bytes, a NUL) is refused with 401 before it
reaches the database.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.request import Request

from apps.accounts import services

PREFIXES = frozenset({b"token", b"bearer"})
# knox's keys are hex; a prefix from REST_KNOX["TOKEN_PREFIX"] would be letters and "_" or "-".
KEY_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


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
        if not KEY_BYTES.issuperset(parts[1]):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, auth_token = self.authenticate_credentials(parts[1])
        services.api_token_record_use(auth_token=auth_token)
        return user, auth_token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'
