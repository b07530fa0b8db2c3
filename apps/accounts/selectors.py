"""Account reads: public names, verified email, tokens, and the personal-data export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.export import export_sections
from apps.accounts.models import ApiToken, User
from apps.roadmap.credit import DELETED_USER_NAME
from roadmap_site.errors import NotAllowed

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

EXPORT_FORMAT = "ml-engineer-roadmap/export/1"


def signed_in_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request, typed as the site's User.

    For views behind `login_required` or `IsAuthenticated`, which pass services a `User` (not
    `User | AnonymousUser`); an anonymous request that got this far is refused (403)."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise NotAllowed("Sign in first.", code="not_authenticated")


def user_by_credentials(request: HttpRequest, *, username: str, password: str) -> User | None:
    """The active user with this username (or email) and password; None otherwise."""
    user = authenticate(request, username=username, password=password)
    return user if isinstance(user, User) and user.is_active else None


def public_name(user: User | None) -> str:
    """The public name of a submitter or actor; "deleted user" once the account is gone."""
    if user is None:
        return DELETED_USER_NAME
    return user.display_name or user.username


def user_has_verified_email(*, user: User) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user).active().select_related("auth_token")


def account_export(user: User) -> dict[str, Any]:
    """The accounts app's own export section: profile, email addresses, token metadata."""
    return {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "time_zone": user.time_zone,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_preferences": {
            "submission_decisions": user.email_submission_decisions,
            "weekly_digest": user.email_weekly_digest,
            "drift_nudge": user.email_drift_nudge,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "social_accounts": [
            {"provider": account.provider, "uid": account.uid}
            for account in SocialAccount.objects.filter(user=user).order_by("provider", "uid")
        ],
        # Metadata only: the keys themselves are never stored.
        "api_tokens": [
            {
                "name": token.name,
                "created_at": token.created_at.isoformat(),
                "expires_at": token.expires_at.isoformat() if token.expires_at else None,
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            }
            for token in api_token_list(user=user)
        ],
    }


def user_export(*, user: User) -> dict[str, Any]:
    """All of the user's own data: every registered section (see apps.accounts.export)."""
    data: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": timezone.now().isoformat()}
    for name, section in export_sections().items():
        data[name] = section(user)
    return data
