"""The learner emails: the Monday email and the drift nudge, with their signed links.

The Monday email (the account setting `email_weekly_digest`) goes out on Monday from 08:00 to
midnight in the learner's time zone, once per week. The beat job (`weekly_emails_send_due`,
every `WEEKLY_EMAIL_EVERY`) picks who is due; each email is claimed by its `WeeklyEmail` row
(unique per learner and week, then SELECT ... FOR UPDATE SKIP LOCKED), and the row is marked
handled in the transaction that sends, so a retry or a second worker never sends it twice. A
send that fails rolls the mark back and the next run tries again (on that Monday only).

Nothing goes out for an enrolment that is finished or paused; a learner with no enrolment
left to write about gets none (the row says why).

Links in the emails are signed (`django.core.signing`, salted per purpose, no expiry) and need
no sign-in: one-click unsubscribe (RFC 8058: `List-Unsubscribe` and `List-Unsubscribe-Post`)
and the nudge's re-plan.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import public_name
from apps.mail.models import DriftNudge, WeeklyEmail
from apps.progress.models import Enrollment, WeeklyCheckIn
from apps.progress.pause import is_paused
from apps.progress.selectors import (
    COMPLETE,
    check_in_streak,
    plan_for,
    progress_by_topic,
)
from apps.progress.services import local_today, plan_replan
from apps.roadmap.models import Topic
from roadmap_site.errors import NotFound
from roadmap_site.limits import DRIFT_AFTER

logger = logging.getLogger(__name__)

# The Monday email goes out from this local time on Monday until the day ends.
WEEKLY_EMAIL_AT = time(8, 0)

UNSUBSCRIBE_SALT = "apps.mail.unsubscribe"
REPLAN_SALT = "apps.mail.replan"

# What an unsubscribe link turns off: the kind of email -> the user's setting.
UNSUBSCRIBE_SETTINGS = {"weekly": "email_weekly_digest", "nudge": "email_drift_nudge"}


# -- signed links


def unsubscribe_token(*, user: User, kind: str) -> str:
    if kind not in UNSUBSCRIBE_SETTINGS:
        raise ValueError(f"no email kind {kind!r}")
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user: User, kind: str) -> str:
    token = unsubscribe_token(user=user, kind=kind)
    return settings.SITE_URL + reverse("mail:unsubscribe", args=[token])


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    kind: str

    @property
    def what(self) -> str:
        return "the Monday email" if self.kind == "weekly" else "the nudge when you drift"

    @property
    def subscribed(self) -> bool:
        return bool(getattr(self.user, UNSUBSCRIBE_SETTINGS[self.kind]))


def unsubscribe_read(*, token: str) -> Unsubscribe:
    """What a link unsubscribes; NotFound for a link that is not ours (or was tampered with)."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=int(user_id), is_active=True)
    except (signing.BadSignature, ValueError, TypeError, User.DoesNotExist):
        raise NotFound("This unsubscribe link is not valid.", code="bad_link") from None
    if kind not in UNSUBSCRIBE_SETTINGS:
        raise NotFound("This unsubscribe link is not valid.", code="bad_link")
    return Unsubscribe(user=user, kind=kind)


@transaction.atomic
def unsubscribe(*, token: str) -> Unsubscribe:
    """Turn the email off (at once, no sign-in: RFC 8058). Doing it twice changes nothing."""
    link = unsubscribe_read(token=token)
    name = UNSUBSCRIBE_SETTINGS[link.kind]
    User.objects.filter(pk=link.user.pk).update(**{name: False})
    setattr(link.user, name, False)
    return link


def replan_token(*, enrollment: Enrollment) -> str:
    return signing.dumps([enrollment.pk, enrollment.user_id], salt=REPLAN_SALT)


def replan_enrollment(*, token: str) -> Enrollment:
    try:
        enrollment_id, user_id = signing.loads(token, salt=REPLAN_SALT)
        return Enrollment.objects.select_related("user", "roadmap").get(
            pk=int(enrollment_id), user_id=int(user_id), user__is_active=True
        )
    except (signing.BadSignature, ValueError, TypeError, Enrollment.DoesNotExist):
        raise NotFound("This re-plan link is not valid.", code="bad_link") from None


# -- sending


def _send(*, user: User, template: str, context: dict[str, Any], kind: str) -> None:
    unsubscribe = unsubscribe_url(user=user, kind=kind)
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "user_name": public_name(user),
        "unsubscribe_url": unsubscribe,
        "preferences_url": settings.SITE_URL + reverse("accounts:email_preferences"),
        **context,
    }
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"emails/{template}.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()


# -- the Monday email


@dataclass
class WeeklyTopic:
    title: str
    url: str
    hours: int
    status: str


@dataclass
class WeeklyPlan:
    """One enrolment's part of the Monday email."""

    roadmap_title: str
    dashboard_url: str
    week: int
    this_week: list[WeeklyTopic] = field(default_factory=list)
    overdue: list[WeeklyTopic] = field(default_factory=list)
    last_week_hours: int | None = None
    streak: int = 0


def weekly_plan(*, enrollment: Enrollment) -> WeeklyPlan | None:
    """What the Monday email says about one enrolment; None when it is finished or paused."""
    if is_paused(enrollment):
        return None
    roadmap = enrollment.roadmap
    progress = progress_by_topic(user=enrollment.user, roadmap=roadmap)
    topics = {t.slug: t for t in Topic.objects.active().filter(roadmap=roadmap)}
    status = {slug: progress[slug].status if slug in progress else "not_started" for slug in topics}
    if all(s in COMPLETE for s in status.values()):
        return None
    plan = plan_for(enrollment=enrollment)

    def item(slug: str, hours: int) -> WeeklyTopic:
        url = settings.SITE_URL + reverse("roadmap:topic", args=[roadmap.slug, slug])
        return WeeklyTopic(topics[slug].title, url, hours, status[slug].replace("_", " "))

    this_week: list[WeeklyTopic] = []
    overdue: dict[str, WeeklyTopic] = {}
    for week in plan.weeks:
        for slug, hours in week.hours_by_topic.items():
            if slug not in topics or status[slug] in COMPLETE:
                continue
            if week.number == plan.current_week:
                this_week.append(item(slug, hours))
            elif week.number < plan.current_week and slug not in overdue:
                overdue[slug] = item(slug, topics[slug].est_hours or 1)
    this_week_slugs = {t.title for t in this_week}
    last = (
        WeeklyCheckIn.objects.filter(
            user=enrollment.user, roadmap=roadmap, week=plan.current_week - 1
        )
        .values_list("hours", flat=True)
        .first()
    )
    return WeeklyPlan(
        roadmap_title=roadmap.title,
        dashboard_url=settings.SITE_URL + reverse("progress:dashboard", args=[roadmap.slug]),
        week=plan.current_week,
        this_week=this_week,
        overdue=[t for t in overdue.values() if t.title not in this_week_slugs],
        last_week_hours=last,
        streak=check_in_streak(user=enrollment.user, roadmap=roadmap),
    )


def _wants_weekly(user: User) -> bool:
    return user.is_active and bool(user.email) and user.email_weekly_digest


def weekly_week_of(*, zone_name: str, now: datetime) -> date | None:
    """The Monday whose email is due in this time zone at `now`; None outside the window
    (Monday from `WEEKLY_EMAIL_AT` to midnight, local)."""
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    if local.weekday() != 0 or local.time() < WEEKLY_EMAIL_AT:
        return None
    return local.date()


def weekly_due(*, now: datetime | None = None) -> list[tuple[int, date]]:
    """(learner, Monday) pairs whose Monday email is due and not yet handled."""
    now = now or timezone.now()
    wanting = User.objects.filter(
        is_active=True, email_weekly_digest=True, enrollments__isnull=False
    )
    wanting = wanting.exclude(email="")
    due: list[tuple[int, date]] = []
    for zone_name in sorted(set(wanting.values_list("time_zone", flat=True))):
        week_of = weekly_week_of(zone_name=zone_name, now=now)
        if week_of is None:
            continue
        users = (
            wanting.filter(time_zone=zone_name)
            .exclude(
                pk__in=WeeklyEmail.objects.filter(week_of=week_of, handled_at__isnull=False).values(
                    "user_id"
                )
            )
            .values_list("pk", flat=True)
            .distinct()
            .order_by("pk")
        )
        due.extend((pk, week_of) for pk in users)
    return due


def weekly_email_send(*, user_id: int, week_of: date) -> bool:
    """Send one learner's Monday email for the week of `week_of`, unless it was handled
    already or another worker holds it. True when it went out now."""
    WeeklyEmail.objects.bulk_create(
        [WeeklyEmail(user_id=user_id, week_of=week_of)], ignore_conflicts=True
    )
    with transaction.atomic():
        claim = (
            WeeklyEmail.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, week_of=week_of, handled_at__isnull=True)
            .first()
        )
        if claim is None:
            return False  # handled already, or another worker is sending it right now
        user = User.objects.get(pk=user_id)
        plans = []
        if _wants_weekly(user):
            enrollments = Enrollment.objects.select_related("roadmap", "user").filter(user=user)
            plans = [p for e in enrollments.order_by("pk") if (p := weekly_plan(enrollment=e))]
        if not plans:
            claim.skipped = "no longer wanted" if not _wants_weekly(user) else "finished or paused"
        else:
            _send(
                user=user,
                template="weekly",
                kind="weekly",
                context={"plans": plans, "week_of": week_of},
            )
        claim.handled_at = timezone.now()
        claim.save(update_fields=["handled_at", "skipped"])
        return not claim.skipped


def weekly_emails_send_due(*, now: datetime | None = None) -> int:
    """The beat job: every due Monday email, each on its own; returns how many went out. One
    that fails is logged and left for the next run."""
    sent = 0
    for user_id, week_of in weekly_due(now=now):
        try:
            sent += weekly_email_send(user_id=user_id, week_of=week_of)
        except Exception:  # one learner's failure (the mail server) must not stop the rest
            logger.exception("weekly email not sent", extra={"user_id": user_id})
    return sent


# -- the drift nudge


def _last_activity(enrollment: Enrollment) -> datetime:
    last = (
        WeeklyCheckIn.objects.filter(user=enrollment.user, roadmap=enrollment.roadmap)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    return max(filter(None, [last, enrollment.created_at]))


def nudge_due(*, now: datetime | None = None) -> list[int]:
    """Enrolments of learners who asked for the nudge, with no check-in for `DRIFT_AFTER`,
    not paused, not finished, and not nudged in the last `DRIFT_AFTER`."""
    now = now or timezone.now()
    candidates = (
        Enrollment.objects.select_related("user", "roadmap")
        .filter(
            user__is_active=True,
            user__email_drift_nudge=True,
            created_at__lte=now - DRIFT_AFTER,
        )
        .exclude(user__email="")
        .exclude(drift_nudge__sent_at__gt=now - DRIFT_AFTER)
        .order_by("pk")
    )
    return [e.pk for e in candidates if _last_activity(e) <= now - DRIFT_AFTER]


def nudge_send(*, enrollment_id: int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    DriftNudge.objects.bulk_create([DriftNudge(enrollment_id=enrollment_id)], ignore_conflicts=True)
    with transaction.atomic():
        claim = (
            DriftNudge.objects.select_for_update(skip_locked=True)
            .filter(enrollment_id=enrollment_id)
            .first()
        )
        if claim is None or (claim.sent_at and claim.sent_at > now - DRIFT_AFTER):
            return False
        enrollment = Enrollment.objects.select_related("user", "roadmap").get(pk=enrollment_id)
        user = enrollment.user
        if not (user.is_active and user.email and user.email_drift_nudge):
            return False
        if (
            _last_activity(enrollment) > now - DRIFT_AFTER
            or weekly_plan(enrollment=enrollment) is None
        ):
            return False
        token = replan_token(enrollment=enrollment)
        _send(
            user=user,
            template="nudge",
            kind="nudge",
            context={
                "roadmap_title": enrollment.roadmap.title,
                "replan_url": settings.SITE_URL + reverse("mail:replan", args=[token]),
                "dashboard_url": settings.SITE_URL
                + reverse("progress:dashboard", args=[enrollment.roadmap.slug]),
                "today": local_today(user),
            },
        )
        claim.sent_at = now
        claim.save(update_fields=["sent_at"])
        return True


def nudges_send_due(*, now: datetime | None = None) -> int:
    sent = 0
    for enrollment_id in nudge_due(now=now):
        try:
            sent += nudge_send(enrollment_id=enrollment_id, now=now)
        except Exception:
            logger.exception("drift nudge not sent", extra={"enrollment_id": enrollment_id})
    return sent


def replan_confirm(*, token: str) -> Enrollment:
    """The nudge's re-plan: what is not done is laid out again from this week."""
    return plan_replan(enrollment=replan_enrollment(token=token))
