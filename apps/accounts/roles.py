"""Roles every app may ask about. Moderators are the `moderators` group, and superusers."""

from __future__ import annotations

from typing import Any

MODERATORS_GROUP = "moderators"


def is_moderator(user: Any) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_moderator", None)
    if cached is None:
        cached = user.groups.filter(name=MODERATORS_GROUP).exists()
        user._is_moderator = cached
    return cached
