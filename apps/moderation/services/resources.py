"""Resources: edit what one says, retire it, pick it, merge a duplicate, apply a redirect."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.community.models import Report, Vote
from apps.community.ranking import wilson_lower_bound
from apps.moderation.models import ModerationAction
from apps.moderation.services.audit import (
    KEEP,
    Decision,
    Keep,
    audited_write,
    joined,
    reason_clean,
)
from apps.roadmap.models import Resource, Topic, TopicChange
from apps.roadmap.services import resource_revise
from apps.roadmap.url_normalization import normalize_url
from roadmap_site import limits
from roadmap_site.errors import Conflict, Invalid

Action = ModerationAction.Action

# The words the log uses for each field an edit may change.
EDIT_LABELS = {"title": "title", "kind": "kind", "topic": "topic", "description_md": "description"}


def _locked(resource: Resource) -> Resource:
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("roadmap", "topic")
        .get(pk=resource.pk)
    )


def _approved_only(resource: Resource, verb: str) -> None:
    if resource.status != Resource.Status.APPROVED:
        raise Conflict(
            f"Only approved resources are {verb}; this one is {resource.status}.",
            code="not_approved",
            status=resource.status,
        )


def _propose(
    errors: dict[str, list[str]],
    changes: dict[str, Any],
    *,
    field: str,
    error: str | None,
    attribute: str,
    new: Any,
    old: Any,
) -> None:
    """A field's error, or its new value when it differs from the old one."""
    if error is not None:
        errors[field] = [error]
    elif new != old:
        changes[attribute] = new


def _topic_error(resource: Resource, topic: Topic | None) -> str | None:
    if topic is not None and (
        topic.roadmap_id != resource.roadmap_id or topic.retired_at is not None
    ):
        return "Choose a topic of this resource's roadmap."
    return None


def _edit_changes(
    resource: Resource,
    *,
    title: str | None,
    kind: str | None,
    topic: Topic | Keep | None,
    description: str | None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if title is not None:
        title = title.strip()
        error = limits.RESOURCE_TITLE.check(title)
        _propose(
            errors,
            changes,
            field="title",
            error=error,
            attribute="title",
            new=title,
            old=resource.title,
        )
    if kind is not None:
        error = (
            None
            if kind in Resource.Kind.values
            else "Choose a kind: " + ", ".join(Resource.Kind.values) + "."
        )
        _propose(
            errors,
            changes,
            field="kind",
            error=error,
            attribute="kind",
            new=kind,
            old=resource.kind,
        )
    if topic is not KEEP:
        _propose(
            errors,
            changes,
            field="topic",
            error=_topic_error(resource, topic),
            attribute="topic",
            new=topic,
            old=resource.topic,
        )
    if description is not None:
        description = description.strip()
        error = limits.RESOURCE_DESCRIPTION.check(description)
        _propose(
            errors,
            changes,
            field="description",
            error=error,
            attribute="description_md",
            new=description,
            old=resource.description_md,
        )
    if errors:
        raise Invalid(errors)
    if not changes:
        raise Invalid("Nothing to change: the values are the same.", code="no_change")
    return changes


@transaction.atomic
def resource_edit(
    *,
    actor: User,
    resource: Resource,
    title: str | None = None,
    kind: str | None = None,
    topic: Topic | Keep | None = KEEP,
    description: str | None = None,
    reason: str = "",
) -> Resource:
    """Change what a resource says: title, kind, topic, description. `topic=None` clears the
    topic; leaving it out keeps it."""
    reason = reason_clean(reason)
    resource = _locked(resource)
    changes = _edit_changes(resource, title=title, kind=kind, topic=topic, description=description)
    moved_from = Resource(title=resource.title, topic_id=resource.topic_id)
    summary = "Changed the " + ", ".join(EDIT_LABELS[name] for name in changes) + "."
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=resource,
                action=Action.EDIT,
                changes=changes,
                reason=joined(summary, reason),
                revision_reason=reason or "edit",
            )
        ],
        public=True,
    )
    if "topic" in changes and resource.status == Resource.Status.APPROVED:
        resource_revise(resource=moved_from, kind=TopicChange.Kind.RESOURCE_REMOVED)
        resource_revise(resource=resource, kind=TopicChange.Kind.RESOURCE_ADDED)
    return resource


@transaction.atomic
def resource_retire(*, actor: User, resource: Resource, reason: str = "") -> Resource:
    """Take an approved resource off the roadmap. Ticks, votes and progress stay as they are."""
    reason = reason_clean(reason)
    resource = _locked(resource)
    _approved_only(resource, "retired")
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=resource,
                action=Action.RETIRE,
                changes={"status": Resource.Status.RETIRED, "editors_pick": False},
                reason=reason,
                revision_reason=reason or "retire",
            )
        ],
        public=True,
    )
    resource_revise(resource=resource, kind=TopicChange.Kind.RESOURCE_REMOVED)
    return resource


@transaction.atomic
def resource_pick(
    *, actor: User, resource: Resource, editors_pick: bool, reason: str = ""
) -> Resource:
    """Make an approved resource an editor's pick, or stop it being one."""
    reason = reason_clean(reason)
    resource = _locked(resource)
    _approved_only(resource, "picked")
    if resource.editors_pick == editors_pick:
        raise Conflict(
            "It is already an editor's pick."
            if editors_pick
            else "It is not an editor's pick already.",
            code="no_change",
            editors_pick=resource.editors_pick,
        )
    said = "Made it an editor's pick." if editors_pick else "No longer an editor's pick."
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=resource,
                action=Action.PICK,
                changes={"editors_pick": editors_pick},
                reason=joined(said, reason),
                revision_reason=reason or "pick",
            )
        ],
        public=True,
    )
    return resource


# ---------------------------------------------------------------------------------------------
# Merge


def _counters_recount(resource: Resource) -> None:
    """Set the counters from the vote rows themselves: exact after votes moved."""
    votes = Vote.objects.filter(resource=resource)
    up = votes.filter(value=Vote.UP).count()
    down = votes.filter(value=Vote.DOWN).count()
    score = wilson_lower_bound(up, down)
    Resource.objects.filter(pk=resource.pk).update(upvotes=up, downvotes=down, score=score)
    resource.upvotes, resource.downvotes, resource.score = up, down, score


def _merge_pair_locked(resource: Resource, into_id: int) -> tuple[Resource, Resource]:
    """Both rows locked in id order (two merges of the same pair cannot deadlock), checked."""
    if resource.pk == into_id:
        raise Invalid({"into": ["A resource cannot be merged into itself."]})
    locked = {
        r.pk: r
        for r in Resource.objects.select_for_update(of=("self",))
        .select_related("roadmap", "topic")
        .filter(pk__in=[resource.pk, into_id])
        .order_by("pk")
    }
    if into_id not in locked:
        raise Invalid({"into": ["No resource has that id."]})
    resource, into = locked[resource.pk], locked[into_id]
    if into.roadmap_id != resource.roadmap_id:
        raise Invalid({"into": ["Merge into a resource of the same roadmap."]})
    if into.status != Resource.Status.APPROVED:
        raise Conflict(
            f"Merge into an approved resource; #{into.pk} is {into.status}.",
            code="not_approved",
            status=into.status,
        )
    if resource.status not in (Resource.Status.APPROVED, Resource.Status.PENDING):
        raise Conflict(
            f"#{resource.pk} is {resource.status}: there is nothing left to merge.",
            code="already_merged",
            status=resource.status,
        )
    return resource, into


def _votes_and_ticks_move(*, actor: User, resource: Resource, into: Resource) -> None:
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
    Report.objects.filter(resource=resource, resolved_at__isnull=True).update(
        resolved_by=actor, resolved_at=timezone.now(), resolution_note=f"Merged into #{into.pk}."
    )


@transaction.atomic
def resource_merge(*, actor: User, resource: Resource, into_id: int, reason: str = "") -> Resource:
    """Fold a duplicate into the resource it repeats, and retire the duplicate.

    Votes move over, except where the voter already voted on the target (their vote there
    stays: one vote per user) or submitted the target (nobody votes on their own); counters
    are recounted from the rows. Ticks move (a learner who ticked both keeps one tick); open
    reports on the duplicate are resolved. Learners' topic progress is not touched.
    """
    reason = reason_clean(reason)
    resource, into = _merge_pair_locked(resource, into_id)
    _votes_and_ticks_move(actor=actor, resource=resource, into=into)
    changes: dict[str, Any] = {"status": Resource.Status.RETIRED, "editors_pick": False}
    was_public = resource.status == Resource.Status.APPROVED
    if resource.status == Resource.Status.PENDING:
        # A pending submission: its submitter reads this on "My submissions".
        changes["review_reason"] = f"Already on the roadmap as “{into.title}”; merged into it."
        changes["reviewed_at"] = timezone.now()
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=resource,
                action=Action.MERGE,
                changes=changes,
                reason=joined(f"Merged into “{into.title}” (#{into.pk}).", reason),
                revision_reason=reason or f"merged into #{into.pk}",
            )
        ],
        public=True,
    )
    if was_public:
        resource_revise(
            resource=resource,
            kind=TopicChange.Kind.RESOURCE_REPLACED,
            detail=f"“{resource.title}” by “{into.title}”",
        )
    return into


# ---------------------------------------------------------------------------------------------
# Link health: apply a permanent redirect


@transaction.atomic
def resource_redirect_apply(*, actor: User, resource: Resource) -> Resource:
    """Replace a resource's URL with the one its link permanently redirects to (logged)."""
    resource = _locked(resource)
    if resource.health != Resource.Health.REDIRECTED or not resource.final_url:
        raise Conflict(
            "The last check found no permanent redirect to apply.",
            code="no_redirect",
            health=resource.health,
        )
    new_url = resource.final_url
    try:
        normalized = normalize_url(new_url)
    except ValueError:
        raise Invalid({"url": ["The redirect's target is not a valid URL."]}) from None
    clash = (
        Resource.objects.filter(roadmap=resource.roadmap, normalized_url=normalized)
        .exclude(pk=resource.pk)
        .first()
    )
    if clash is not None:
        raise Conflict(
            f"The new URL is already on the roadmap as “{clash.title}” (#{clash.pk}): merge "
            "the two instead.",
            code="duplicate",
            existing=clash.pk,
        )
    old_url = resource.url
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=resource,
                action=Action.UPDATE_URL,
                changes={
                    "url": new_url,
                    "normalized_url": normalized,
                    # The check that found the redirect reached the new URL.
                    "health": Resource.Health.OK,
                    "final_url": "",
                },
                reason=f"The link moved permanently from {old_url} to {new_url}.",
                revision_reason="update-url",
            )
        ],
        public=True,
    )
    if resource.status == Resource.Status.APPROVED:
        resource_revise(
            resource=resource,
            kind=TopicChange.Kind.LINK_UPDATED,
            detail=f"“{resource.title}” moved to {new_url}",
        )
    return resource
