from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from roadmap_site.limits import API_TOKEN_NAME, DISPLAY_NAME


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Berlin.")


class User(AbstractUser):
    """The site's user. The time zone decides where a user's weeks begin and end."""

    display_name = models.CharField(max_length=DISPLAY_NAME.max, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # Email preferences: what the site may send besides account mail (verification, resets).
    email_submission_decisions = models.BooleanField(
        default=True,
        help_text="Email me when a moderator approves or rejects a resource I submitted.",
    )
    email_weekly_digest = models.BooleanField(
        default=False,
        help_text="Email me on Mondays with this week's topics and last week's check-in.",
    )
    email_drift_nudge = models.BooleanField(
        default=False,
        help_text="Email me once when I have not checked in for two weeks, with a re-plan link.",
    )
    email_moderation_digest = models.BooleanField(
        default=True,
        help_text="Moderators: email me once a day when the moderation queue has work in it.",
    )
    show_contributions = models.BooleanField(
        default=True,
        help_text=("Name me beside the resources I suggested and show my public contributor page."),
    )

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        expiry = models.Q(auth_token__expiry__isnull=True) | models.Q(
            auth_token__expiry__gt=timezone.now()
        )
        return self.filter(expiry)


class ApiToken(models.Model):
    """What knox's AuthToken lacks: a name chosen by the owner and the time of last use.

    The key itself is never stored; knox keeps only its digest. Deleting the AuthToken (revoke,
    expiry, account deletion) deletes this row with it.
    """

    auth_token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, related_name="details"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=API_TOKEN_NAME.max)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def expires_at(self):
        return self.auth_token.expiry


class UserSession(AbstractBaseSession):
    """A database session with its owner's id beside the encoded data.

    Django's own session table can only be searched for a user by decoding every row; this one
    answers "every session of user N" with an index. The id is a plain column, not a foreign
    key: a session may outlive its user by a moment, and saving it must never fail for that.
    """

    user_id = models.BigIntegerField(null=True, db_index=True)

    @classmethod
    def get_session_store_class(cls):
        from apps.accounts.sessions import SessionStore

        return SessionStore


class PersonalVersion(models.Model):
    """A number that moves with every write to what the signed-in pages show of one person:
    their enrolments, progress rows, check-ins and resource ticks (the progress tables'
    triggers, progress migration 0007) and their solutions (solutions migration 0002), on
    every path that writes them. It is read with the session (apps/accounts/sessions.py), and
    a learner's roadmap, phase and section pages and dashboard are kept filled under it
    (roadmap_site/page_layer.py, dashboard_layer.py). Only those triggers write it. The id is
    a plain column, as in UserSession: the triggers may write it while the user is being
    deleted."""

    user_id = models.BigIntegerField(primary_key=True)
    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"user {self.user_id} v{self.version}"
