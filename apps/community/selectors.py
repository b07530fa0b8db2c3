"""Community reads, scoped to the caller."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from apps.accounts.models import User
from apps.accounts.roles import is_moderator
from apps.community.models import Report, Vote
from apps.roadmap.models import Resource
from apps.roadmap.url_normalization import probable_twins
from roadmap_site.errors import NotFound


def approved_resource(*, pk: int) -> Resource:
    """A resource on the roadmap (what may be voted on and reported), with its place."""
    resource = Resource.objects.approved().select_related("roadmap", "topic").filter(pk=pk).first()
    if resource is None:
        raise NotFound("No resource on the roadmap has this id.")
    return resource


def resource_with_place(*, pk: int) -> Resource | None:
    """Any resource with its roadmap and topic (to link the one a duplicate points at)."""
    return Resource.objects.select_related("roadmap", "topic").filter(pk=pk).first()


def submissions_for(*, user: User, status: str = "") -> QuerySet[Resource]:
    """The caller's own submissions; a moderator's view is every submission."""
    queryset = Resource.objects.filter(origin=Resource.Origin.COMMUNITY).select_related(
        "roadmap", "topic", "submitted_by"
    )
    if not is_moderator(user):
        queryset = queryset.filter(submitted_by=user)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


_NO_CONTRIBUTOR = "No contributor has this name, or they keep their contributions private."


def contributor_get(*, username: str) -> User:
    """A contributor with a public page: an active account that has not opted out
    (`show_contributions`). Anyone else is NotFound, the same answer as an unknown name."""
    user = User.objects.filter(username=username, is_active=True, show_contributions=True).first()
    if user is None:
        raise NotFound(_NO_CONTRIBUTOR)
    return user


def contributor_resources(*, user: User) -> QuerySet[Resource]:
    """What a contributor suggested that is on the roadmap now: approved community resources
    (never pending, rejected or retired ones), newest first, with their place."""
    return (
        Resource.objects.approved()
        .filter(origin=Resource.Origin.COMMUNITY, submitted_by=user)
        .select_related("roadmap", "topic")
        .order_by("-created_at", "-id")
    )


def contributor_totals(*, user: User) -> dict[str, int]:
    """The approved resources' count and the votes they received, in one query."""
    return contributor_resources(user=user).aggregate(
        resources=Count("pk"),
        upvotes=Coalesce(Sum("upvotes"), 0),
        downvotes=Coalesce(Sum("downvotes"), 0),
    )


def my_votes(*, user: User, resource_ids: list[int]) -> dict[int, int]:
    if not user.is_authenticated or not resource_ids:
        return {}
    return dict(
        Vote.objects.filter(user=user, resource_id__in=resource_ids).values_list(
            "resource_id", "value"
        )
    )


def export_section(user: User) -> dict[str, Any]:
    """The user's submissions, votes and reports for the personal export."""
    return {
        "submissions": [
            {
                "id": r.pk,
                "roadmap": r.roadmap.slug,
                "topic": r.topic.slug if r.topic else None,
                "url": r.url,
                "title": r.title,
                "kind": r.kind,
                "description": r.description_md,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in Resource.objects.filter(submitted_by=user, origin=Resource.Origin.COMMUNITY)
            .select_related("roadmap", "topic")
            .order_by("created_at")
        ],
        "votes": [
            {"resource": v.resource_id, "value": v.value, "at": v.updated_at.isoformat()}
            for v in Vote.objects.filter(user=user).order_by("created_at")
        ],
        "reports": [
            {
                "resource": r.resource_id,
                "reason": r.reason,
                "note": r.note,
                "created_at": r.created_at.isoformat(),
                "resolved": r.resolved_at is not None,
            }
            for r in Report.objects.filter(user=user).order_by("created_at")
        ],
    }


def submissions_for_page(*, user: User) -> QuerySet[Resource]:
    """The caller's own submissions, newest first (moderators use the queue, not this page)."""
    return (
        Resource.objects.filter(origin=Resource.Origin.COMMUNITY, submitted_by=user)
        .select_related("roadmap", "topic")
        .order_by("-created_at", "-id")
    )


def probable_duplicates(
    resources: Iterable[Resource], *, approved_only: bool = False
) -> dict[int, list[Resource]]:
    """For each resource, the other resources of its roadmap at a probable twin of its URL
    (`probable_twins`: the other scheme, with or without `www.`). One query for all of them.
    `approved_only` for what a submitter may see: another user's pending or rejected
    submission is never shown to them."""
    wanted: dict[tuple[int, str], list[int]] = {}
    found: dict[int, list[Resource]] = {}
    for resource in resources:
        found[resource.pk] = []
        for twin in probable_twins(resource.normalized_url):
            wanted.setdefault((resource.roadmap_id, twin), []).append(resource.pk)
    if not wanted:
        return found
    others = Resource.objects.filter(
        roadmap_id__in={roadmap for roadmap, _ in wanted},
        normalized_url__in={url for _, url in wanted},
    ).select_related("roadmap", "topic")
    if approved_only:
        others = others.filter(status=Resource.Status.APPROVED)
    for other in others.order_by("pk"):
        for pk in wanted.get((other.roadmap_id, other.normalized_url), []):
            if other.pk != pk:
                found[pk].append(other)
    return found
