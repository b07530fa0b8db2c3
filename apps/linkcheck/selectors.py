"""Link health reads: which resources are due for a check, and a resource's check history."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet

from apps.linkcheck.models import LinkCheck, LinkClaim
from apps.roadmap.models import Resource
from roadmap_site.errors import NotFound

RECENT_CHECKS = 5


def resources_due(*, now: datetime, limit: int | None = None) -> QuerySet[Resource]:
    """Resources whose link should be checked now, most overdue first. One query.

    Due: an approved resource never checked, checked longer ago than the interval (7 days),
    or failing and checked longer ago than the failing interval (1 day); and any resource a
    moderator asked to have checked. Resources someone holds a live claim on are left out.
    """
    checked_before = now - timedelta(hours=settings.LINKCHECK_INTERVAL_HOURS)
    failing_checked_before = now - timedelta(hours=settings.LINKCHECK_FAILING_INTERVAL_HOURS)
    due = (
        Q(last_checked_at__isnull=True)
        | Q(last_checked_at__lte=checked_before)
        | Q(consecutive_failures__gt=0, last_checked_at__lte=failing_checked_before)
    )
    requested = Q(link_claim__requested_at__isnull=False)
    queryset = (
        Resource.objects.exclude(url="")
        .filter((Q(status=Resource.Status.APPROVED) & due) | requested)
        .exclude(link_claim__leased_until__gt=now)
        .only("id", "url", "last_checked_at")
        .order_by(
            F("link_claim__requested_at").asc(nulls_last=True),
            F("last_checked_at").asc(nulls_first=True),
            "pk",
        )
    )
    return queryset[:limit] if limit is not None else queryset


def hosts_busy(*, now: datetime) -> set[str]:
    """Hosts that a batch is working through (a live claim): a sweep leaves them alone."""
    return set(
        LinkClaim.objects.filter(leased_until__gt=now).values_list("host", flat=True).distinct()
    )


def resource_to_check(*, pk: int) -> Resource:
    """Any resource, in any state, with what a check needs (its link) and its title."""
    resource = Resource.objects.only("id", "url", "title").filter(pk=pk).first()
    if resource is None:
        raise NotFound("No resource has this id.")
    return resource


def link_checks_for(*, resource: Resource) -> QuerySet[LinkCheck]:
    """A resource's check history, newest first."""
    return LinkCheck.objects.filter(resource=resource).order_by("-checked_at", "-id")


def recent_checks_prefetch(limit: int = RECENT_CHECKS) -> Prefetch:
    """For a list of resources: each one's latest checks as `recent_checks`, in one query."""
    return Prefetch(
        "link_checks",
        queryset=LinkCheck.objects.order_by("-checked_at", "-id")[:limit],
        to_attr="recent_checks",
    )
