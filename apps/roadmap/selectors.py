"""Reads of roadmap content, shaped for pages and the API with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from apps.roadmap.models import Phase, PhaseGoal, Resource, Roadmap, Section, Topic


def roadmap_list() -> QuerySet[Roadmap]:
    return Roadmap.objects.order_by("title")


def roadmap_get(*, slug: str) -> Roadmap:
    return get_object_or_404(Roadmap, slug=slug)


def roadmap_tree(*, slug: str) -> Roadmap:
    """A roadmap with its phases, goals, sections and active topics prefetched."""
    topics = Topic.objects.active().order_by("order")
    queryset = Roadmap.objects.prefetch_related(
        Prefetch(
            "phases",
            queryset=Phase.objects.order_by("number").prefetch_related(
                Prefetch(
                    "goals",
                    queryset=PhaseGoal.objects.order_by("order").prefetch_related(
                        Prefetch("topics", queryset=topics.only("id", "slug", "title"))
                    ),
                )
            ),
        ),
        Prefetch(
            "sections",
            queryset=Section.objects.active()
            .order_by("number")
            .prefetch_related(Prefetch("topics", queryset=topics)),
        ),
        "outcomes",
        "faqs",
    )
    return get_object_or_404(queryset, slug=slug)


def topic_get(*, roadmap: Roadmap, slug: str) -> Topic:
    return get_object_or_404(
        Topic.objects.select_related("section", "phase"), roadmap=roadmap, slug=slug
    )


def topic_resources(*, topic: Topic) -> QuerySet[Resource]:
    return topic.resources.approved().order_by("-editors_pick", "-score", "-created_at")
