"""The session engine (SESSION_ENGINE = "apps.accounts.sessions"): Django's database sessions,
stored in UserSession so that the signed-in user's id is an indexed column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

if TYPE_CHECKING:
    from apps.accounts.models import UserSession


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        from apps.accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        instance = cast("UserSession", super().create_model_instance(data))
        raw_id = data.get(SESSION_KEY)
        try:
            instance.user_id = int(raw_id) if raw_id is not None else None
        except (TypeError, ValueError):
            instance.user_id = None
        return instance
