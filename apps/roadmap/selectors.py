"""Reads of roadmap content, shaped for pages and the API with a fixed number of queries.

Each selector's query count is pinned by tests at the seed's size and at ten times it. A
selector that finds nothing raises `roadmap_site.errors.NotFound`: the API answers it as JSON
404 and the pages with the styled 404 page.
"""

from __future__ import annotations

from typing import Any, TypedDict, TypeVar, cast

from django.db import connection
from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django_stubs_ext import WithAnnotations

from apps.roadmap.models import (
    FAQ,
    Outcome,
    Phase,
    PhaseGoal,
    Project,
    Resource,
    ResourceQuerySet,
    Roadmap,
    Section,
    Topic,
)
from roadmap_site.errors import NotFound

M = TypeVar("M", bound=Model)


class RankedResources(TypedDict):
    ranked_resources: list[Resource]  # approved, best first


class PlannedTopics(TypedDict):
    planned_topics: list[Topic]  # active, in order


_APPROVED = Q(resources__status=Resource.Status.APPROVED)
_NO_ROADMAP = "No roadmap has this slug."
_NO_TOPIC = "No topic of this roadmap has this slug."


def _one(queryset: QuerySet[M], message: str, **filters: Any) -> M:
    """The one row matching `filters`, or NotFound with `message`."""
    found = queryset.filter(**filters).first()
    if found is None:
        raise NotFound(message)
    return found


def roadmap_list() -> QuerySet[Roadmap]:
    """Roadmaps with the number of their active topics (one query)."""
    return Roadmap.objects.annotate(
        topic_count=Count("topics", filter=Q(topics__retired_at__isnull=True), distinct=True)
    ).order_by("title")


def roadmap_featured() -> Roadmap | None:
    """The roadmap the home page shows, with its phases (two queries)."""
    return (
        Roadmap.objects.prefetch_related(
            Prefetch("phases", queryset=Phase.objects.order_by("number"))
        )
        .order_by("id")
        .first()
    )


def roadmap_get(*, slug: str) -> Roadmap:
    return _one(Roadmap.objects.all(), _NO_ROADMAP, slug=slug)


def roadmap_version_or_none(*, slug: str) -> int | None:
    """The roadmap's content_version alone (what keys its cached tree and its ETag), or None.

    One indexed lookup on every tree request, written as plain SQL: building it through the
    ORM costs several times the query itself on this, the API's hottest path.
    """
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('content_version')} FROM {quote(Roadmap._meta.db_table)} "  # noqa: S608
        f"WHERE {quote('slug')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    return row[0] if row else None


def _active_topics() -> QuerySet[Topic]:
    return Topic.objects.active().order_by("order")


def roadmap_tree(*, slug: str) -> Roadmap:
    """A roadmap with everything its page and its API tree show, in nine queries.

    Phases (with goals and the goals' topics), sections (with active topics, each annotated
    with its count of approved resources and its phase), outcomes, active projects (with
    topics) and FAQ entries.
    """
    topic_slugs = _active_topics().only("id", "slug", "title", "order")
    queryset = Roadmap.objects.prefetch_related(
        Prefetch(
            "phases",
            queryset=Phase.objects.order_by("number").prefetch_related(
                Prefetch(
                    "goals",
                    queryset=PhaseGoal.objects.order_by("order").prefetch_related(
                        Prefetch("topics", queryset=topic_slugs)
                    ),
                )
            ),
        ),
        Prefetch(
            "sections",
            queryset=Section.objects.active()
            .order_by("number")
            .prefetch_related(
                Prefetch(
                    "topics",
                    queryset=_active_topics()
                    .select_related("phase")
                    .annotate(resource_count=Count("resources", filter=_APPROVED)),
                )
            ),
        ),
        Prefetch("outcomes", queryset=Outcome.objects.order_by("order")),
        Prefetch(
            "projects",
            queryset=Project.objects.active()
            .order_by("order")
            .prefetch_related(Prefetch("topics", queryset=topic_slugs)),
        ),
        Prefetch("faqs", queryset=FAQ.objects.order_by("order")),
    )
    return _one(queryset, _NO_ROADMAP, slug=slug)


def roadmap_general_resources(*, roadmap: Roadmap) -> QuerySet[Resource]:
    """Approved resources that belong to the whole roadmap: books, courses, communities."""
    return (
        Resource.objects.approved()
        .filter(roadmap=roadmap, topic__isnull=True)
        .select_related("submitted_by")  # the credit line
        .order_by("kind", "title")
    )


def topic_get(*, roadmap: Roadmap, slug: str) -> Topic:
    return _one(
        Topic.objects.select_related("section", "phase"), _NO_TOPIC, roadmap=roadmap, slug=slug
    )


def _ranked(queryset: ResourceQuerySet) -> QuerySet[Resource]:
    return queryset.ranked()


def topic_resources(*, topic: Topic) -> QuerySet[Resource]:
    return _ranked(topic.resources.approved())


def topic_detail(*, roadmap_slug: str, slug: str) -> WithAnnotations[Topic, RankedResources]:
    """An active topic with its roadmap, section, phase and ranked resources (two queries)."""
    resources = _ranked(
        Resource.objects.approved().select_related("roadmap", "topic", "submitted_by")
    )
    queryset = (
        Topic.objects.active()
        .select_related("roadmap", "section", "phase")
        .prefetch_related(Prefetch("resources", queryset=resources, to_attr="ranked_resources"))
    )
    return _one(queryset, _NO_TOPIC, roadmap__slug=roadmap_slug, slug=slug)


def phase_detail(*, roadmap_slug: str, slug: str) -> WithAnnotations[Phase, PlannedTopics]:
    """A phase with its roadmap, goals (with their topics) and its own topics (four queries)."""
    topics = _active_topics().only("id", "slug", "title", "order", "est_hours", "phase_id")
    queryset = Phase.objects.select_related("roadmap").prefetch_related(
        Prefetch(
            "goals",
            queryset=PhaseGoal.objects.order_by("order").prefetch_related(
                Prefetch("topics", queryset=topics)
            ),
        ),
        Prefetch("topics", queryset=topics, to_attr="planned_topics"),
    )
    # The plugin reads the prefetched topics as the abstract base's; they are Topics.
    found = _one(
        queryset, "No phase of this roadmap has this slug.", roadmap__slug=roadmap_slug, slug=slug
    )
    return cast("WithAnnotations[Phase, PlannedTopics]", found)


def resource_list(
    *,
    roadmap: str = "",
    topic: str = "",
    kind: str = "",
    health: str = "",
    q: str = "",
    ordering: str = "-score",
) -> QuerySet[Resource]:
    """Approved resources, filtered and ordered; roadmap and topic are named by slug."""
    queryset = Resource.objects.approved().select_related("roadmap", "topic", "submitted_by")
    if roadmap:
        queryset = queryset.filter(roadmap__slug=roadmap)
    if topic:
        queryset = queryset.filter(topic__slug=topic)
    if kind:
        queryset = queryset.filter(kind=kind)
    if health:
        queryset = queryset.filter(health=health)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(description_md__icontains=q))
    tiebreak = "title" if ordering != "title" else "id"
    return queryset.order_by(ordering, tiebreak, "id")


def resource_get(*, pk: int) -> Resource:
    """One approved resource: anything else is not public, so it is not found."""
    queryset = Resource.objects.approved().select_related("roadmap", "topic", "submitted_by")
    return _one(queryset, "No resource has this id.", pk=pk)


def roadmap_projects(*, slug: str) -> Roadmap:
    """A roadmap with its active projects and the topics each uses (three queries)."""
    topics = _active_topics().only("id", "slug", "title", "order")
    projects = (
        Project.objects.active()
        .order_by("order")
        .prefetch_related(Prefetch("topics", queryset=topics))
    )
    queryset = Roadmap.objects.prefetch_related(Prefetch("projects", queryset=projects))
    return _one(queryset, _NO_ROADMAP, slug=slug)


def roadmap_faqs(*, slug: str) -> Roadmap:
    """A roadmap with its FAQ entries (two queries)."""
    faqs = FAQ.objects.order_by("order")
    queryset = Roadmap.objects.prefetch_related(Prefetch("faqs", queryset=faqs))
    return _one(queryset, _NO_ROADMAP, slug=slug)


def roadmap_outcomes(*, slug: str) -> Roadmap:
    """A roadmap with its outcomes (two queries)."""
    outcomes = Outcome.objects.order_by("order")
    queryset = Roadmap.objects.prefetch_related(Prefetch("outcomes", queryset=outcomes))
    return _one(queryset, _NO_ROADMAP, slug=slug)
