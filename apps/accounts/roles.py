"""Roles every app may ask about. Moderators are the `moderators` group, and superusers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

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


class IsModerator(BasePermission):
    """API permission: moderators and superusers. DRF answers 401 to a caller with no
    credentials and 403 to everyone else."""

    message = "Only moderators may do this."

    def has_permission(self, request, view) -> bool:
        return is_moderator(request.user)


def moderator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Page decorator: anonymous visitors go to sign in, everyone else but moderators get 403."""

    @wraps(view)
    def wrapped(request, *args: Any, **kwargs: Any):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_moderator(request.user):
            raise PermissionDenied("Only moderators may see this page.")
        return view(request, *args, **kwargs)

    return wrapped
