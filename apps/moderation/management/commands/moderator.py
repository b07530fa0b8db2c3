"""Give or take the moderator role.

    manage.py moderator add USER      # USER is a username or an email address
    manage.py moderator remove USER
    manage.py moderator list

`add` creates the `moderators` group with its permissions when it does not exist yet.
Superusers are moderators without being in the group.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from apps.accounts.models import User
from apps.accounts.roles import MODERATORS_GROUP
from apps.moderation.services import roles


class Command(BaseCommand):
    help = "Add or remove a moderator, or list the moderators."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["add", "remove", "list"])
        parser.add_argument("user", nargs="?", help="a username or an email address")

    def handle(self, *args: Any, operation: str, user: str | None, **options: Any) -> None:
        if operation == "list":
            group = Group.objects.filter(name=MODERATORS_GROUP).first()
            members = (
                User.objects.filter(Q(groups=group) | Q(is_superuser=True))
                if group
                else (User.objects.filter(is_superuser=True))
            )
            for member in members.distinct().order_by("username"):
                role = "superuser" if member.is_superuser else "moderator"
                self.stdout.write(f"{member.username} ({role})")
            return
        if not user:
            raise CommandError(f"Name the user: manage.py moderator {operation} USER")
        account = User.objects.filter(Q(username=user) | Q(email__iexact=user)).first()
        if account is None:
            raise CommandError(f"No user has the username or email {user!r}.")
        if operation == "add":
            try:
                changed = roles.moderator_add(user=account)
            except LookupError as error:
                raise CommandError(str(error)) from None
            message = "is now a moderator" if changed else "was already a moderator"
        else:
            changed = roles.moderator_remove(user=account)
            message = "is no longer a moderator" if changed else "was not a moderator"
            if account.is_superuser:
                message += " (but stays one as a superuser)"
        self.stdout.write(self.style.SUCCESS(f"{account.username} {message}."))
