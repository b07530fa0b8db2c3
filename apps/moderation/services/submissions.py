"""Community submissions: approve, reject, and either of them for many at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.moderation.models import ModerationAction
from apps.moderation.services.audit import Decision, audited_write, reason_clean
from apps.moderation.services.notifications import decision_email_enqueue
from apps.roadmap.models import Resource, TopicChange
from apps.roadmap.services import resource_revise
from roadmap_site import limits
from roadmap_site.errors import Conflict, Invalid

Action = ModerationAction.Action


def _pending_locked(ids: Iterable[int]) -> list[Resource]:
    return list(
        Resource.objects.select_for_update(of=("self",))
        .filter(pk__in=list(ids), origin=Resource.Origin.COMMUNITY)
        .select_related("roadmap", "submitted_by")
        .order_by("pk")
    )


def _one_pending(resource: Resource) -> Resource:
    locked = _pending_locked([resource.pk])
    if not locked:
        raise Conflict(
            "Only community submissions are approved or rejected.", code="not_a_submission"
        )
    if locked[0].status != Resource.Status.PENDING:
        raise _already_decided(locked[0])
    return locked[0]


def _already_decided(resource: Resource) -> Conflict:
    return Conflict(
        f"“{resource.title}” is {resource.status}, not pending: it was already decided.",
        code="already_decided",
        status=resource.status,
    )


def _decision(resource: Resource, *, action: str, reason: str) -> Decision:
    """Approve or reject one locked, pending submission; the email goes to the outbox with it."""
    approve = action == Action.APPROVE
    resource_id = resource.pk
    return Decision(
        target=resource,
        action=action,
        changes={
            "status": Resource.Status.APPROVED if approve else Resource.Status.REJECTED,
            "review_reason": reason,
            "reviewed_at": timezone.now(),
        },
        reason=reason,
        enqueue=lambda: decision_email_enqueue(resource_id=resource_id, decision=action),
    )


@transaction.atomic
def submission_approve(*, actor: User, resource: Resource, note: str = "") -> Resource:
    """Publish a pending submission; the optional note goes to the submitter and the log."""
    note = reason_clean(note, field="note")
    resource = _one_pending(resource)
    audited_write(
        actor=actor,
        decisions=[_decision(resource, action=Action.APPROVE, reason=note)],
        public=True,
    )
    resource_revise(resource=resource, kind=TopicChange.Kind.RESOURCE_ADDED)
    return resource


@transaction.atomic
def submission_reject(*, actor: User, resource: Resource, reason: str) -> Resource:
    """Turn a pending submission down; the reason is required and public."""
    reason = reason_clean(reason, required=True)
    resource = _one_pending(resource)
    # A pending submission was never public: no content_version bump.
    audited_write(
        actor=actor,
        decisions=[_decision(resource, action=Action.REJECT, reason=reason)],
        public=False,
    )
    return resource


@transaction.atomic
def submissions_bulk_decide(
    *, actor: User, ids: list[int], action: str, reason: str = ""
) -> list[Resource]:
    """Approve or reject many pending submissions: all of them or, on any problem, none."""
    if action not in (Action.APPROVE, Action.REJECT):
        raise Invalid({"action": ["Choose approve or reject."]})
    reason = reason_clean(reason, required=action == Action.REJECT)
    wanted = list(dict.fromkeys(ids))
    if not limits.BULK_DECISIONS.contains(len(wanted)):
        raise Invalid({"ids": [limits.BULK_DECISIONS.message()]})
    resources = _pending_locked(wanted)
    unknown = sorted(set(wanted) - {r.pk for r in resources})
    if unknown:
        raise Invalid({"ids": ["No submission has the id " + ", ".join(map(str, unknown)) + "."]})
    decided = [r.pk for r in resources if r.status != Resource.Status.PENDING]
    if decided:
        raise Conflict(
            "Some of these were already decided: " + ", ".join(map(str, decided)) + ".",
            code="already_decided",
            ids=decided,
        )
    audited_write(
        actor=actor,
        decisions=[_decision(r, action=action, reason=reason) for r in resources],
        public=action == Action.APPROVE,
    )
    if action == Action.APPROVE:
        for resource in resources:
            resource_revise(resource=resource, kind=TopicChange.Kind.RESOURCE_ADDED)
    return resources
