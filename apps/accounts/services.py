"""Account writes: profile, email preferences, API tokens, account deletion."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken

from apps.accounts import selectors
from apps.accounts.deletion import deletion_hooks
from apps.accounts.models import ApiToken, PersonalVersion, User, UserSession, validate_time_zone
from roadmap_site.errors import Conflict, Invalid, NotAllowed, NotFound
from roadmap_site.limits import API_TOKEN_NAME, DISPLAY_NAME

logger = logging.getLogger(__name__)

# A token's last use is written at most this often: a busy script must not turn every API
# read into a write.
TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=1)

EMAIL_NOT_VERIFIED = (
    "Verify your email address before creating API tokens: follow the link in the email we "
    "sent you, or ask for a new one on the settings page."
)


@transaction.atomic
def user_profile_update(
    *, user: User, display_name: str, time_zone: str, show_contributions: bool | None = None
) -> User:
    """Refuses with Invalid (by field): a display name too long, an unknown time zone.
    `show_contributions` None leaves the choice as it is."""
    display_name = display_name.strip()
    if too_long := DISPLAY_NAME.check(display_name):
        raise Invalid(too_long, field="display_name")
    validate_time_zone(time_zone)
    user.display_name = display_name
    user.time_zone = time_zone
    fields = ["display_name", "time_zone"]
    if show_contributions is not None:
        user.show_contributions = show_contributions
        fields.append("show_contributions")
    user.full_clean(exclude=["password", "username", "email"])
    user.save(update_fields=fields)
    return user


@transaction.atomic
def user_email_preferences_update(
    *,
    user: User,
    email_submission_decisions: bool,
    email_weekly_digest: bool,
    email_drift_nudge: bool = False,
    email_moderation_digest: bool | None = None,
) -> User:
    user.email_submission_decisions = email_submission_decisions
    user.email_weekly_digest = email_weekly_digest
    user.email_drift_nudge = email_drift_nudge
    fields = ["email_submission_decisions", "email_weekly_digest", "email_drift_nudge"]
    if email_moderation_digest is not None:  # None: the form did not offer the choice
        user.email_moderation_digest = email_moderation_digest
        fields.append("email_moderation_digest")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a named token; the key is returned once and never stored (knox keeps a digest).

    Refuses with Invalid on `name` (400) and Conflict "token_limit" (409) when the user has
    API_TOKEN_LIMIT_PER_USER tokens that still work.
    """
    name = name.strip()
    if not name:
        raise Invalid(
            "Name the token, for example after the script or machine that uses it.", field="name"
        )
    if too_long := API_TOKEN_NAME.check(name):
        raise Invalid(too_long, field="name")
    # Lock the user row so that two parallel requests cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    active = ApiToken.objects.filter(user=user).active().count()
    if active >= settings.API_TOKEN_LIMIT_PER_USER:
        raise Conflict(
            f"You already have {active} API tokens, the most allowed. Revoke one you no longer "
            "use first.",
            code="token_limit",
        )
    auth_token, key = AuthToken.objects.create(
        user=user, expiry=timedelta(days=settings.API_TOKEN_TTL_DAYS)
    )
    token = ApiToken.objects.create(
        auth_token=auth_token, user=user, name=name, created_at=auth_token.created
    )
    return token, key


def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A token for a person who asks for one (the settings page, POST /auth/token/): only
    accounts with a verified email get one (NotAllowed "email_not_verified", 403)."""
    if not selectors.user_has_verified_email(user=user):
        raise NotAllowed(EMAIL_NOT_VERIFIED, code="email_not_verified")
    return api_token_create(user=user, name=name)


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; NotFound when the user has no such token."""
    deleted, _ = AuthToken.objects.filter(user=user, details__id=token_id).delete()
    if not deleted:
        raise NotFound("You have no such token.")


@transaction.atomic
def api_token_revoke_used(*, auth_token: AuthToken) -> None:
    AuthToken.objects.filter(digest=auth_token.digest).delete()


def api_token_record_use(*, auth_token: AuthToken) -> None:
    """Record that a token was used, writing at most once per interval per token."""
    now = timezone.now()
    interval = int(TOKEN_USE_RECORD_INTERVAL.total_seconds())
    # One write attempt per token per interval-long bucket of the clock; the conditional
    # UPDATE below is what guarantees "at most once per interval".
    bucket = int(now.timestamp()) // interval
    try:
        first_in_interval = cache.add(
            f"accounts:token-used:{auth_token.digest[:40]}:{bucket}", 1, timeout=interval * 2
        )
    except Exception as error:  # a cache that is down degrades to the database's guard below
        # An expected state, not a fault: one line with the reason, no traceback to render
        # in the middle of an API request.
        logger.warning("cache unavailable while recording token use", extra={"error": repr(error)})
        first_in_interval = True
    if not first_in_interval:
        return
    ApiToken.objects.filter(auth_token_id=auth_token.digest).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_USE_RECORD_INTERVAL)
    ).update(last_used_at=now)


def user_sessions_end(*, user_id: int) -> int:
    """End every session of the user in the session store; returns how many."""
    deleted, _ = UserSession.objects.filter(user_id=user_id).delete()
    return deleted


@transaction.atomic
def user_credentials_changed(*, user: User, keep_session_key: str | None = None) -> None:
    """After a password change or reset: every API token of the user ends, and every session
    but the one that made the change (a stolen session or token must not outlive it)."""
    AuthToken.objects.filter(user_id=user.pk).delete()
    sessions = UserSession.objects.filter(user_id=user.pk)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended, _ = sessions.delete()
    logger.info(
        "credentials changed: tokens and other sessions ended",
        extra={"user_id": user.pk, "sessions": ended},
    )


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """Delete the account and its personal data, after the password is typed again.

    Every session and token ends in the same transaction. Approved resources the user
    submitted stay, attributed to "deleted user" (their foreign key is SET_NULL); each app's
    registered deletion hook anonymises or removes what it keeps (see apps.accounts.deletion).
    """
    if not password or not user.check_password(password):
        raise Invalid(
            "The password is not right. Type the password you sign in with.",
            field="password",
            code="wrong_password",
        )
    user_id = user.pk
    for hook in deletion_hooks().values():
        hook(user)
    AuthToken.objects.filter(user_id=user_id).delete()
    user_sessions_end(user_id=user_id)
    _resource_history_detach(user_id=user_id)
    user.delete()
    # Last: deleting the user's progress rows moved it (the progress tables' triggers).
    PersonalVersion.objects.filter(user_id=user_id).delete()
    logger.info("account deleted", extra={"user_id": user_id})


def _resource_history_detach(*, user_id: int) -> None:
    # The history of a resource keeps the submitter's id in a column without a constraint;
    # the live row's SET_NULL does not reach it.
    from apps.roadmap.models import Resource

    Resource.history.filter(submitted_by_id=user_id).update(submitted_by_id=None)
