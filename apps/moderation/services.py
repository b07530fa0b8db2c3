"""Moderation writes. Each function is one use case, runs in one transaction and writes exactly
one ModerationAction per thing it decides (a bulk decision writes one per submission).

Public content changes (approve, edit, retire, pick, merge, topic edit, revert) bump the
roadmap's content_version in the same transaction. Emails leave after the commit, through
Celery (`transaction.on_commit`), so a rolled-back decision never mails anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import MODERATORS_GROUP
from apps.accounts.selectors import public_name
from apps.community.models import Report, Vote
from apps.community.ranking import wilson_lower_bound
from apps.community.services import DESCRIPTION_MAX, TITLE_MAX, TITLE_MIN
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Phase, Resource, Topic
from apps.roadmap.readme_parser import first_sentence
from apps.roadmap.services import roadmap_touch
from apps.roadmap.url_normalization import normalize_url

logger = logging.getLogger(__name__)

REASON_MAX = 2000
BULK_MAX = 100
TOPIC_TITLE_MAX = 200
TOPIC_BODY_MAX = 50_000
KEY_POINTS_MAX = 50
KEY_POINT_MAX = 500
HOURS_MIN, HOURS_MAX = 1, 400

Action = ModerationAction.Action
Target = ModerationAction.Target

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


class ModerationConflict(Exception):
    """The request clashes with the current state (answered 409); nothing was written."""

    def __init__(self, message: str, **extra: Any) -> None:
        self.message = message
        self.extra = extra
        super().__init__(message)


# ---------------------------------------------------------------------------------------------
# The log


def _log(
    *,
    actor: User,
    action: str,
    target_type: str,
    target_id: int,
    target_title: str,
    reason: str = "",
) -> ModerationAction:
    return ModerationAction.objects.create(
        actor=actor,
        actor_name=public_name(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_title=target_title[:300],
        reason=reason,
    )


def moderation_log_pseudonymise(user: User) -> None:
    """Deletion hook: the log keeps what was done, under a pseudonym instead of the name."""
    ModerationAction.objects.filter(actor=user).update(actor_name=f"moderator {user.pk}")


def _clean_reason(reason: str, *, field: str = "reason", required: bool = False) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field: ["Give a reason: the submitter and the public log see it."]})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: [f"Keep it to {REASON_MAX:,} characters."]})
    return reason


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


# ---------------------------------------------------------------------------------------------
# Submissions: approve, reject, in bulk


def _pending_locked(ids: Iterable[int]) -> list[Resource]:
    return list(
        Resource.objects.select_for_update(of=("self",))
        .filter(pk__in=list(ids), origin=Resource.Origin.COMMUNITY)
        .select_related("roadmap", "submitted_by")
        .order_by("pk")
    )


def _decide(*, actor: User, resource: Resource, decision: str, reason: str) -> Resource:
    """Approve or reject one locked, pending submission (inside the caller's transaction)."""
    if resource.status != Resource.Status.PENDING:
        raise ModerationConflict(
            f"“{resource.title}” is {resource.status}, not pending: it was already decided.",
            status=resource.status,
        )
    now = timezone.now()
    approve = decision == Action.APPROVE
    resource.status = Resource.Status.APPROVED if approve else Resource.Status.REJECTED
    resource.review_reason = reason
    resource.reviewed_at = now
    resource.updated_at = now
    resource._history_user = actor
    resource._change_reason = decision
    resource.save(update_fields=["status", "review_reason", "reviewed_at", "updated_at"])
    _log(
        actor=actor,
        action=decision,
        target_type=Target.RESOURCE,
        target_id=resource.pk,
        target_title=resource.title,
        reason=reason,
    )
    resource_id = resource.pk
    transaction.on_commit(lambda: _decision_email_enqueue(resource_id, decision))
    return resource


def _decision_email_enqueue(resource_id: int, decision: str) -> None:
    from apps.moderation.tasks import submission_decision_email_send

    try:
        submission_decision_email_send.delay(resource_id, decision)
    except Exception:  # a broker that is down never fails the (already committed) decision
        logger.warning("could not queue the decision email", exc_info=True)


def _one_pending(resource: Resource) -> Resource:
    locked = _pending_locked([resource.pk])
    if not locked:
        raise ModerationConflict("Only community submissions are approved or rejected.")
    return locked[0]


@transaction.atomic
def submission_approve(*, actor: User, resource: Resource, note: str = "") -> Resource:
    """Publish a pending submission; the optional note goes to the submitter and the log."""
    note = _clean_reason(note, field="note")
    resource = _decide(
        actor=actor, resource=_one_pending(resource), decision=Action.APPROVE, reason=note
    )
    roadmap_touch(roadmap=resource.roadmap)
    return resource


@transaction.atomic
def submission_reject(*, actor: User, resource: Resource, reason: str) -> Resource:
    """Turn a pending submission down; the reason is required and public."""
    reason = _clean_reason(reason, required=True)
    # A pending submission was never public: no content_version bump.
    return _decide(
        actor=actor, resource=_one_pending(resource), decision=Action.REJECT, reason=reason
    )


@transaction.atomic
def submissions_bulk_decide(
    *, actor: User, ids: list[int], action: str, reason: str = ""
) -> list[Resource]:
    """Approve or reject many pending submissions: all of them or, on any problem, none."""
    if action not in (Action.APPROVE, Action.REJECT):
        raise ValidationError({"action": ["Choose approve or reject."]})
    reason = _clean_reason(reason, required=action == Action.REJECT)
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise ValidationError({"ids": ["Choose at least one submission."]})
    if len(wanted) > BULK_MAX:
        raise ValidationError({"ids": [f"Decide at most {BULK_MAX} submissions at once."]})
    resources = _pending_locked(wanted)
    unknown = sorted(set(wanted) - {r.pk for r in resources})
    if unknown:
        raise ValidationError(
            {"ids": ["No submission has the id " + ", ".join(map(str, unknown)) + "."]}
        )
    decided = [r.pk for r in resources if r.status != Resource.Status.PENDING]
    if decided:
        raise ModerationConflict(
            "Some of these were already decided: " + ", ".join(map(str, decided)) + ".",
            ids=decided,
        )
    done = [_decide(actor=actor, resource=r, decision=action, reason=reason) for r in resources]
    if action == Action.APPROVE:
        for roadmap in {r.roadmap_id: r.roadmap for r in done}.values():
            roadmap_touch(roadmap=roadmap)
    return done


# ---------------------------------------------------------------------------------------------
# Resources: edit, retire, pick, merge


def _resource_locked(resource: Resource) -> Resource:
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("roadmap", "topic")
        .get(pk=resource.pk)
    )


@transaction.atomic
def resource_edit(
    *,
    actor: User,
    resource: Resource,
    title: str | None = None,
    kind: str | None = None,
    topic: Topic | type[Ellipsis] | None = ...,
    description: str | None = None,
    reason: str = "",
) -> Resource:
    """Change what a resource says: title, kind, topic, description. `topic=...` leaves it."""
    reason = _clean_reason(reason)
    resource = _resource_locked(resource)
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if title is not None:
        title = title.strip()
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            errors["title"] = [f"The title must be {TITLE_MIN} to {TITLE_MAX} characters long."]
        elif title != resource.title:
            changes["title"] = title
    if kind is not None:
        if kind not in Resource.Kind.values:
            errors["kind"] = ["Choose a kind: " + ", ".join(Resource.Kind.values) + "."]
        elif kind != resource.kind:
            changes["kind"] = kind
    if topic is not ...:
        if topic is not None and (
            topic.roadmap_id != resource.roadmap_id or topic.retired_at is not None
        ):
            errors["topic"] = ["Choose a topic of this resource's roadmap."]
        elif (topic.pk if topic else None) != resource.topic_id:
            changes["topic"] = topic
    if description is not None:
        description = description.strip()
        if len(description) > DESCRIPTION_MAX:
            errors["description"] = [
                f"The description can be at most {DESCRIPTION_MAX:,} characters long."
            ]
        elif description != resource.description_md:
            changes["description_md"] = description
    if errors:
        raise ValidationError(errors)
    if not changes:
        raise ValidationError({"non_field_errors": ["Nothing to change: the values are the same."]})
    for name, value in changes.items():
        setattr(resource, name, value)
    resource.updated_at = timezone.now()
    resource._history_user = actor
    resource._change_reason = reason or "edit"
    fields = [("topic" if name == "topic" else name) for name in changes]
    resource.save(update_fields=[*fields, "updated_at"])
    labels = {"title": "title", "kind": "kind", "topic": "topic", "description_md": "description"}
    summary = "Changed the " + ", ".join(labels[name] for name in changes) + "."
    _log(
        actor=actor,
        action=Action.EDIT,
        target_type=Target.RESOURCE,
        target_id=resource.pk,
        target_title=resource.title,
        reason=_joined(summary, reason),
    )
    roadmap_touch(roadmap=resource.roadmap)
    return resource


@transaction.atomic
def resource_retire(*, actor: User, resource: Resource, reason: str = "") -> Resource:
    """Take an approved resource off the roadmap. Ticks, votes and progress stay as they are."""
    reason = _clean_reason(reason)
    resource = _resource_locked(resource)
    if resource.status != Resource.Status.APPROVED:
        raise ModerationConflict(
            f"Only approved resources are retired; this one is {resource.status}.",
            status=resource.status,
        )
    resource.status = Resource.Status.RETIRED
    resource.editors_pick = False
    resource.updated_at = timezone.now()
    resource._history_user = actor
    resource._change_reason = reason or "retire"
    resource.save(update_fields=["status", "editors_pick", "updated_at"])
    _log(
        actor=actor,
        action=Action.RETIRE,
        target_type=Target.RESOURCE,
        target_id=resource.pk,
        target_title=resource.title,
        reason=reason,
    )
    roadmap_touch(roadmap=resource.roadmap)
    return resource


@transaction.atomic
def resource_pick(
    *, actor: User, resource: Resource, editors_pick: bool, reason: str = ""
) -> Resource:
    """Make an approved resource an editor's pick, or stop it being one."""
    reason = _clean_reason(reason)
    resource = _resource_locked(resource)
    if resource.status != Resource.Status.APPROVED:
        raise ModerationConflict(
            f"Only approved resources are picked; this one is {resource.status}.",
            status=resource.status,
        )
    if resource.editors_pick == editors_pick:
        raise ModerationConflict(
            "It is already an editor's pick."
            if editors_pick
            else "It is not an editor's pick already."
        )
    resource.editors_pick = editors_pick
    resource.updated_at = timezone.now()
    resource._history_user = actor
    resource._change_reason = reason or "pick"
    resource.save(update_fields=["editors_pick", "updated_at"])
    _log(
        actor=actor,
        action=Action.PICK,
        target_type=Target.RESOURCE,
        target_id=resource.pk,
        target_title=resource.title,
        reason=_joined(
            "Made it an editor's pick." if editors_pick else "No longer an editor's pick.", reason
        ),
    )
    roadmap_touch(roadmap=resource.roadmap)
    return resource


def _counters_recount(resource: Resource) -> None:
    """Set the counters from the vote rows themselves: exact after votes moved."""
    votes = Vote.objects.filter(resource=resource)
    up = votes.filter(value=Vote.UP).count()
    down = votes.filter(value=Vote.DOWN).count()
    score = wilson_lower_bound(up, down)
    Resource.objects.filter(pk=resource.pk).update(upvotes=up, downvotes=down, score=score)
    resource.upvotes, resource.downvotes, resource.score = up, down, score


@transaction.atomic
def resource_merge(
    *, actor: User, resource: Resource, into: Resource, reason: str = ""
) -> Resource:
    """Fold a duplicate into the resource it repeats, and retire the duplicate.

    Votes move over, except where the voter already voted on the target (their vote there
    stays: one vote per user) or submitted the target (nobody votes on their own); counters
    are recounted from the rows. Ticks move (a learner who ticked both keeps one tick); open
    reports on the duplicate are resolved. Learners' topic progress is not touched.
    """
    reason = _clean_reason(reason)
    if resource.pk == into.pk:
        raise ValidationError({"into": ["A resource cannot be merged into itself."]})
    # Lock both rows in id order, so that two merges of the same pair cannot deadlock.
    locked = {
        r.pk: r
        for r in Resource.objects.select_for_update(of=("self",))
        .select_related("roadmap", "topic")
        .filter(pk__in=[resource.pk, into.pk])
        .order_by("pk")
    }
    resource, into = locked[resource.pk], locked[into.pk]
    if into.roadmap_id != resource.roadmap_id:
        raise ValidationError({"into": ["Merge into a resource of the same roadmap."]})
    if into.status != Resource.Status.APPROVED:
        raise ModerationConflict(
            f"Merge into an approved resource; #{into.pk} is {into.status}.", status=into.status
        )
    if resource.status not in (Resource.Status.APPROVED, Resource.Status.PENDING):
        raise ModerationConflict(
            f"#{resource.pk} is {resource.status}: there is nothing left to merge.",
            status=resource.status,
        )

    keep_theirs = Q(user_id__in=Vote.objects.filter(resource=into).values("user_id"))
    if into.submitted_by_id is not None:
        keep_theirs |= Q(user_id=into.submitted_by_id)
    Vote.objects.filter(resource=resource).filter(keep_theirs).delete()
    Vote.objects.filter(resource=resource).update(resource=into)
    _counters_recount(into)
    _counters_recount(resource)

    # Ticks, through the reverse relation, so that moderation needs no import of progress.
    resource.ticks.filter(user_id__in=into.ticks.values("user_id")).delete()
    resource.ticks.update(resource=into)

    now = timezone.now()
    Report.objects.filter(resource=resource, resolved_at__isnull=True).update(
        resolved_by=actor, resolved_at=now, resolution_note=f"Merged into #{into.pk}."
    )

    was_public = resource.status == Resource.Status.APPROVED
    resource.status = Resource.Status.RETIRED
    resource.editors_pick = False
    resource.updated_at = now
    if not was_public:
        # A pending submission: its submitter reads this on "My submissions".
        resource.review_reason = f"Already on the roadmap as “{into.title}”; merged into it."
        resource.reviewed_at = now
    resource._history_user = actor
    resource._change_reason = reason or f"merged into #{into.pk}"
    resource.save(
        update_fields=["status", "editors_pick", "updated_at", "review_reason", "reviewed_at"]
    )
    _log(
        actor=actor,
        action=Action.MERGE,
        target_type=Target.RESOURCE,
        target_id=resource.pk,
        target_title=resource.title,
        reason=_joined(f"Merged into “{into.title}” (#{into.pk}).", reason),
    )
    roadmap_touch(roadmap=resource.roadmap)
    return into


# ---------------------------------------------------------------------------------------------
# Reports


@transaction.atomic
def report_resolve(*, actor: User, report: Report, note: str = "") -> Report:
    """Close a report. The moderator's note is public; the reporter's own note never is."""
    note = _clean_reason(note, field="note")
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("resource").get(pk=report.pk)
    )
    if report.resolved_at is not None:
        raise ModerationConflict("This report was already resolved.")
    report.resolved_by = actor
    report.resolved_at = timezone.now()
    report.resolution_note = note
    report.save(update_fields=["resolved_by", "resolved_at", "resolution_note"])
    _log(
        actor=actor,
        action=Action.RESOLVE_REPORT,
        target_type=Target.REPORT,
        target_id=report.pk,
        target_title=report.resource.title,
        reason=_joined(f"Report: {report.get_reason_display().lower()}.", note),
    )
    return report


# ---------------------------------------------------------------------------------------------
# Topics: edit and revert (django-simple-history keeps every revision)

TOPIC_FIELDS = ("title", "body_md", "summary", "key_points", "est_hours", "phase_id", "order")


def _topic_locked(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("roadmap").get(pk=topic.pk)


@transaction.atomic
def topic_edit(
    *,
    actor: User,
    topic: Topic,
    title: str | None = None,
    body: str | None = None,
    key_points: list[str] | None = None,
    est_hours: int | type[Ellipsis] | None = ...,
    phase: Phase | type[Ellipsis] | None = ...,
    order: int | None = None,
    reason: str = "",
) -> Topic:
    """Edit a topic's text and place. A re-import of the README keeps these edits."""
    reason = _clean_reason(reason)
    topic = _topic_locked(topic)
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if title is not None:
        title = title.strip()
        if not 1 <= len(title) <= TOPIC_TITLE_MAX:
            errors["title"] = [f"The title must be 1 to {TOPIC_TITLE_MAX} characters long."]
        elif title != topic.title:
            changes["title"] = title
    if body is not None:
        body = body.strip()
        if len(body) > TOPIC_BODY_MAX:
            errors["body"] = [f"The text can be at most {TOPIC_BODY_MAX:,} characters long."]
        elif body != topic.body_md:
            changes["body_md"] = body
            changes["summary"] = first_sentence(body)
    if key_points is not None:
        points = [str(point).strip() for point in key_points]
        if len(points) > KEY_POINTS_MAX:
            errors["key_points"] = [f"At most {KEY_POINTS_MAX} key things."]
        elif any(not point or len(point) > KEY_POINT_MAX for point in points):
            errors["key_points"] = [f"Each key thing needs 1 to {KEY_POINT_MAX} characters."]
        elif points != list(topic.key_points or []):
            changes["key_points"] = points
    if est_hours is not ...:
        if est_hours is not None and not HOURS_MIN <= est_hours <= HOURS_MAX:
            errors["est_hours"] = [f"Hours must be from {HOURS_MIN} to {HOURS_MAX}, or empty."]
        elif est_hours != topic.est_hours:
            changes["est_hours"] = est_hours
    if phase is not ...:
        if phase is not None and phase.roadmap_id != topic.roadmap_id:
            errors["phase"] = ["Choose a phase of this topic's roadmap."]
        elif (phase.pk if phase else None) != topic.phase_id:
            changes["phase_id"] = phase.pk if phase else None
    if order is not None:
        if order < 0:
            errors["order"] = ["The order is a whole number, 0 or more."]
        elif order != topic.order:
            changes["order"] = order
    if errors:
        raise ValidationError(errors)
    if not changes:
        raise ValidationError({"non_field_errors": ["Nothing to change: the values are the same."]})
    _topic_save(topic=topic, changes=changes, actor=actor, change_reason=reason or "edit")
    labels = {
        "title": "title",
        "body_md": "text",
        "key_points": "key things",
        "est_hours": "hours",
        "phase_id": "phase",
        "order": "order",
    }
    changed = [labels[name] for name in changes if name in labels]
    _log(
        actor=actor,
        action=Action.EDIT_TOPIC,
        target_type=Target.TOPIC,
        target_id=topic.pk,
        target_title=topic.title,
        reason=_joined("Changed the " + ", ".join(changed) + ".", reason),
    )
    roadmap_touch(roadmap=topic.roadmap)
    return topic


def _topic_save(*, topic: Topic, changes: dict[str, Any], actor: User, change_reason: str) -> None:
    for name, value in changes.items():
        setattr(topic, name, value)
    # simple-history reads these two attributes for the revision it writes on save.
    topic._history_user = actor
    topic._change_reason = change_reason[:100]
    topic.save(update_fields=list(changes))


@transaction.atomic
def topic_revert(*, actor: User, topic: Topic, revision_id: int, reason: str = "") -> Topic:
    """Restore a topic's text and place exactly as an earlier revision had them.

    The revert is saved as a revision of its own, so it can be reverted in turn.
    """
    reason = _clean_reason(reason)
    topic = _topic_locked(topic)
    revision = Topic.history.filter(id=topic.pk, history_id=revision_id).first()
    if revision is None:
        raise ValidationError({"revision": ["This topic has no such revision."]})
    wanted = {name: getattr(revision, name) for name in TOPIC_FIELDS}
    if (
        wanted["phase_id"] is not None
        and not Phase.objects.filter(pk=wanted["phase_id"], roadmap_id=topic.roadmap_id).exists()
    ):
        wanted["phase_id"] = None  # that phase is gone; the topic falls back to no phase
    changes = {name: value for name, value in wanted.items() if getattr(topic, name) != value}
    if not changes:
        raise ModerationConflict("The topic already reads exactly like that revision.")
    _topic_save(
        topic=topic,
        changes=changes,
        actor=actor,
        change_reason=f"revert to revision {revision.history_id}",
    )
    when = revision.history_date.strftime("%Y-%m-%d %H:%M UTC")
    _log(
        actor=actor,
        action=Action.REVERT,
        target_type=Target.TOPIC,
        target_id=topic.pk,
        target_title=topic.title,
        reason=_joined(f"Back to revision {revision.history_id} of {when}.", reason),
    )
    roadmap_touch(roadmap=topic.roadmap)
    return topic


# ---------------------------------------------------------------------------------------------
# The moderator role


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
    user.groups.add(group)
    user.is_staff = True  # the admin's read-only log and reports need a staff account
    user.save(update_fields=["is_staff"])
    return True


@transaction.atomic
def moderator_remove(*, user: User) -> bool:
    """Take the moderator role away; False when the user was not one."""
    group = Group.objects.filter(name=MODERATORS_GROUP).first()
    if group is None or not user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.remove(group)
    if not user.is_superuser and not user.groups.exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    return True


# ---------------------------------------------------------------------------------------------
# Emails (sent by the tasks in tasks.py)


def _send(*, to: str, template: str, context: dict[str, Any]) -> None:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"moderation/email/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"moderation/email/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"moderation/email/{template}.html", context), "text/html"
    )
    message.send()


def submission_decision_notify(*, resource_id: int, decision: str) -> bool:
    """Email the submitter about the decision, if it still stands and they want the email."""
    resource = (
        Resource.objects.select_related("roadmap", "topic", "submitted_by")
        .filter(pk=resource_id)
        .first()
    )
    wanted = {Action.APPROVE: Resource.Status.APPROVED, Action.REJECT: Resource.Status.REJECTED}
    if resource is None or resource.status != wanted.get(decision):
        return False
    user = resource.submitted_by
    if user is None or not user.is_active or not user.email or not user.email_submission_decisions:
        return False
    topic_path = (
        reverse("roadmap:topic", args=[resource.roadmap.slug, resource.topic.slug])
        if resource.topic
        else reverse("roadmap:roadmap", args=[resource.roadmap.slug])
    )
    _send(
        to=user.email,
        template="decision",
        context={
            "user_name": public_name(user),
            "resource": resource,
            "approved": decision == Action.APPROVE,
            "reason": resource.review_reason,
            "topic_url": settings.SITE_URL + topic_path,
            "submissions_url": settings.SITE_URL + reverse("community:my-submissions"),
            "preferences_url": settings.SITE_URL + reverse("accounts:email_preferences"),
        },
    )
    return True


def moderator_digest_notify() -> int:
    """Mail each moderator who wants it a summary of the queue; nothing when it is empty."""
    from apps.moderation.selectors import moderators_for_digest, queue_counts

    counts = queue_counts()
    if not any(counts.values()):
        return 0
    sent = 0
    for user in moderators_for_digest():
        _send(
            to=user.email,
            template="digest",
            context={
                "user_name": public_name(user),
                "counts": counts,
                "queue_url": settings.SITE_URL + reverse("moderation:queue"),
                "preferences_url": settings.SITE_URL + reverse("accounts:email_preferences"),
            },
        )
        sent += 1
    return sent


# ---------------------------------------------------------------------------------------------
# Link health: apply a permanent redirect


@transaction.atomic
def resource_redirect_apply(*, actor: User, resource: Resource) -> Resource:
    """Replace a resource's URL with the one its link permanently redirects to (logged)."""
    resource = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("roadmap", "topic")
        .get(pk=resource.pk)
    )
    if resource.health != Resource.Health.REDIRECTED or not resource.final_url:
        raise ModerationConflict(
            "The last check found no permanent redirect to apply.", health=resource.health
        )
    new_url = resource.final_url
    try:
        normalized = normalize_url(new_url)
    except ValueError:
        raise ValidationError({"url": ["The redirect's target is not a valid URL."]}) from None
    clash = (
        Resource.objects.filter(roadmap=resource.roadmap, normalized_url=normalized)
        .exclude(pk=resource.pk)
        .first()
    )
    if clash is not None:
        raise ModerationConflict(
            f"The new URL is already on the roadmap as “{clash.title}” (#{clash.pk}): merge "
            "the two instead.",
            existing=clash.pk,
        )
    old_url = resource.url
    resource.url = new_url
    resource.normalized_url = normalized
    resource.health = Resource.Health.OK  # the check that found the redirect reached the new URL
    resource.final_url = ""
    resource.updated_at = timezone.now()
    resource._history_user = actor
    resource._change_reason = "update-url"
    resource.save(update_fields=["url", "normalized_url", "health", "final_url", "updated_at"])
    _log(
        actor=actor,
        action=ModerationAction.Action.UPDATE_URL,
        target_type=ModerationAction.Target.RESOURCE,
        target_id=resource.pk,
        target_title=resource.title,
        reason=f"The link moved permanently from {old_url} to {new_url}.",
    )
    roadmap_touch(roadmap=resource.roadmap)
    return resource
