"""The moderator role: the `moderators` group with its admin permissions; give and take it."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.accounts.roles import MODERATORS_GROUP
from apps.moderation.selectors import viewer_role_forget

# What the moderators group may do in the admin, besides the moderation pages themselves.
MODERATOR_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("roadmap", "view_resource"),
    ("roadmap", "change_resource"),
    ("roadmap", "view_topic"),
    ("roadmap", "change_topic"),
    ("community", "view_report"),
    ("community", "change_report"),
    ("community", "view_vote"),
    ("moderation", "view_moderationaction"),
)


def moderators_group_ensure() -> Group:
    """The moderators group, with the admin permissions listed in MODERATOR_PERMISSIONS."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = Q()
    for app_label, codename in MODERATOR_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(MODERATOR_PERMISSIONS):
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        missing = [f"{a}.{c}" for a, c in MODERATOR_PERMISSIONS if (a, c) not in found]
        raise LookupError("Permissions missing (run migrate first): " + ", ".join(missing))
    group.permissions.add(*permissions)
    return group


@transaction.atomic
def moderator_add(*, user: User) -> bool:
    """Make the user a moderator; False when they already were one."""
    group = moderators_group_ensure()
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)  # never staff: moderators work on the moderation pages, not the admin
    viewer_role_forget(user_id=user.pk)
    return True


@transaction.atomic
def moderator_remove(*, user: User) -> bool:
    """Take the moderator role away; False when the user was not one."""
    group = Group.objects.filter(name=MODERATORS_GROUP).first()
    if group is None or not user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.remove(group)
    viewer_role_forget(user_id=user.pk)
    return True
