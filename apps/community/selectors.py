"""Community reads, scoped to the caller."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from apps.accounts.models import User
from apps.accounts.roles import is_moderator
from apps.community.models import Report, Vote
from apps.progress.models import ResourceTick, TopicProgress, WeeklyCheckIn
from apps.roadmap.models import Resource, Topic
from apps.roadmap.url_normalization import probable_twins
from roadmap_site.errors import NotFound
from roadmap_site.prepared import CompiledQuery


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


@dataclass
class TopicPageMarks:
    """The learner's own marks on one topic's page."""

    row: TopicProgress | None  # their progress on the topic
    votes: dict[int, int]  # resource id -> their vote
    ticked: frozenset[int]  # the resources they ticked
    # What the derived time of a done topic is worked out from (apps/progress/effort.py): their
    # done rows in the roadmap (topic_id, done_at, hours_taken and the topic's est_hours) and
    # their check-ins' hours by week
    done: list[TopicProgress]
    check_in_hours: dict[int, int]


# The columns of the marks' UNION, and what an arm that has no such value sends instead (a
# NULL typed: the query is prepared, roadmap_site/prepared.py).
_MARKS_COLUMNS: dict[str, Any] = {
    "kind": None,
    "ref": None,
    "number": Cast(Value(None), output_field=IntegerField()),
    "text": Value(""),
    "note": Value(""),
    "date": Cast(Value(None), output_field=DateTimeField()),
    "flag": Value(False, output_field=BooleanField()),
    "extra": Cast(Value(None), output_field=IntegerField()),
    "taken": Cast(Value(None), output_field=IntegerField()),
}


def _marks_arm(queryset: QuerySet[Any], *, kind: int, **given: Any) -> QuerySet[Any]:
    """One arm of the marks' UNION: every column in the same order, `given` or empty."""
    values = {**_MARKS_COLUMNS, **given, "kind": Value(kind, output_field=IntegerField())}
    # No ORDER BY inside a UNION (SQLite refuses one).
    return queryset.annotate(**values).values_list(*_MARKS_COLUMNS).order_by()


def _topic_page_marks_query(*, user_id: int, topic_id: int, roadmap_id: int) -> QuerySet[Any]:
    row = _marks_arm(
        TopicProgress.objects.filter(user_id=user_id, topic_id=topic_id),
        kind=1,
        ref=F("pk"),
        number=F("revision_done"),
        text=F("status"),
        note=F("note_md"),
        date=F("done_at"),
        flag=F("auto_skipped"),
        extra=F("note_version"),
        taken=F("hours_taken"),
    )
    votes = _marks_arm(
        Vote.objects.filter(user_id=user_id, resource__topic_id=topic_id),
        kind=2,
        ref=F("resource_id"),
        number=F("value"),
    )
    ticks = _marks_arm(
        ResourceTick.objects.filter(user_id=user_id, resource__topic_id=topic_id),
        kind=3,
        ref=F("resource_id"),
    )
    done = _marks_arm(
        TopicProgress.objects.filter(
            user_id=user_id, topic__roadmap_id=roadmap_id, status=TopicProgress.Status.DONE
        ),
        kind=4,
        ref=F("topic_id"),
        number=F("topic__est_hours"),
        text=F("status"),
        date=F("done_at"),
        taken=F("hours_taken"),
    )
    check_ins = _marks_arm(
        WeeklyCheckIn.objects.filter(user_id=user_id, roadmap_id=roadmap_id),
        kind=5,
        ref=F("pk"),
        number=F("week"),
        taken=F("hours"),
    )
    return row.union(votes, ticks, done, check_ins, all=True)


# Read on every signed-in topic page: compiled once (roadmap_site/prepared.py).
_TOPIC_PAGE_MARKS = CompiledQuery(_topic_page_marks_query, "user_id", "topic_id", "roadmap_id")


def topic_page_marks(*, user: User, topic_id: int, roadmap_id: int) -> TopicPageMarks:
    """The learner's own marks on one topic's page, in one query (a UNION; the signed-in topic
    page's layer, roadmap_site/page_layer.py)."""
    found = _TOPIC_PAGE_MARKS.run(user_id=user.pk, topic_id=topic_id, roadmap_id=roadmap_id)
    progress: TopicProgress | None = None
    my_votes: dict[int, int] = {}
    ticked: set[int] = set()
    done_rows: list[TopicProgress] = []
    check_in_hours: dict[int, int] = {}
    for kind, ref, number, text, note, date, flag, extra, taken in found:
        if kind == 1:
            progress = TopicProgress(
                pk=ref,
                user=user,
                topic_id=topic_id,
                status=text,
                note_md=note,
                done_at=date,
                auto_skipped=bool(flag),
                note_version=extra,
                hours_taken=taken,
                revision_done=number,
            )
        elif kind == 2:
            my_votes[ref] = number
        elif kind == 3:
            ticked.add(ref)
        elif kind == 4:
            done_row = TopicProgress(
                user=user, topic_id=ref, status=text, done_at=date, hours_taken=taken
            )
            done_row.topic = Topic(pk=ref, est_hours=number)
            done_rows.append(done_row)
        else:
            check_in_hours[number] = taken
    return TopicPageMarks(progress, my_votes, frozenset(ticked), done_rows, check_in_hours)
