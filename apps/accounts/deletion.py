"""The registry of account-deletion hooks.

Deleting an account (services.user_delete) runs every registered hook inside the deletion's
transaction, *before* the user row is deleted, so a hook can still find the user's rows:

    from apps.accounts.deletion import register_deletion_hook

    def on_user_deleted(user) -> None:
        ModerationAction.objects.filter(actor=user).update(actor_name=f"moderator {user.pk}")

    register_deletion_hook("moderation.pseudonymise_log", on_user_deleted)

Rows that only belong to the user need no hook when their foreign key cascades; a hook is for
what must be kept but anonymised (the public moderation log) or cleaned elsewhere. A row whose
removal changes a number kept elsewhere is removed by its app's hook, which recomputes that
number in the same transaction: the user's votes go and each resource's counters and score
are recounted from the votes left ("community.votes_recount"), rather than cascading away
behind counters that still count them. A hook that raises aborts the deletion and nothing is
written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

DeletionHook = Callable[[Any], None]

_hooks: dict[str, DeletionHook] = {}


def register_deletion_hook(name: str, fn: DeletionHook) -> None:
    registered = _hooks.get(name)
    if registered is not None and registered is not fn:
        raise ImproperlyConfigured(f"The deletion hook {name!r} is already registered")
    _hooks[name] = fn


def unregister_deletion_hook(name: str) -> None:
    """For tests that register a hook of their own."""
    _hooks.pop(name, None)


def deletion_hooks() -> dict[str, DeletionHook]:
    return dict(_hooks)
