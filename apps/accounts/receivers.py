"""allauth's account signals, each handed to a service (allauth offers no other hook for
these moments)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.accounts.models import User
from apps.accounts.services import user_credentials_changed


def credentials_changed(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """A password changed, was reset or set: end the user's tokens and other sessions."""
    session = getattr(request, "session", None)
    user_credentials_changed(user=user, keep_session_key=getattr(session, "session_key", None))
