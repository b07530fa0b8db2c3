"""Admin for roadmap content. Topics and resources keep their history (django-simple-history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from apps.roadmap.models import (
    FAQ,
    Outcome,
    Phase,
    PhaseGoal,
    Project,
    Resource,
    Roadmap,
    Section,
    Topic,
)
from apps.roadmap.services import roadmap_touch

Content = Roadmap | Section | Phase | PhaseGoal | Topic | Outcome | Project | FAQ | Resource


def _roadmap_of(obj: Content) -> Roadmap:
    if isinstance(obj, Roadmap):
        return obj
    if isinstance(obj, PhaseGoal):
        return obj.phase.roadmap
    return obj.roadmap


class TouchesRoadmap(admin.ModelAdmin):
    """An edit in the admin is a content change: bump content_version in its transaction."""

    def save_model(self, request: HttpRequest, obj: Content, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        roadmap_touch(roadmap=_roadmap_of(obj))

    def delete_model(self, request: HttpRequest, obj: Content) -> None:
        roadmap = _roadmap_of(obj)
        super().delete_model(request, obj)
        if Roadmap.objects.filter(pk=roadmap.pk).exists():
            roadmap_touch(roadmap=roadmap)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Content]) -> None:
        roadmaps = {_roadmap_of(obj).pk: _roadmap_of(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for roadmap in roadmaps.values():
            if Roadmap.objects.filter(pk=roadmap.pk).exists():
                roadmap_touch(roadmap=roadmap)


@admin.register(Roadmap)
class RoadmapAdmin(TouchesRoadmap, admin.ModelAdmin):
    list_display = ["title", "slug", "content_version", "updated_at"]
    search_fields = ["title", "slug"]
    readonly_fields = ["content_version", "updated_at"]


@admin.register(Section)
class SectionAdmin(TouchesRoadmap, admin.ModelAdmin):
    list_display = ["__str__", "roadmap", "slug", "retired_at"]
    list_filter = ["roadmap"]
    search_fields = ["title", "slug"]


class PhaseGoalInline(admin.TabularInline):
    model = PhaseGoal
    extra = 0
    autocomplete_fields = ["topics"]


@admin.register(Phase)
class PhaseAdmin(TouchesRoadmap, admin.ModelAdmin):
    list_display = ["__str__", "roadmap", "week_start", "week_end"]
    list_filter = ["roadmap"]
    inlines = [PhaseGoalInline]


@admin.register(PhaseGoal)
class PhaseGoalAdmin(TouchesRoadmap, admin.ModelAdmin):
    list_display = ["text", "phase", "order"]
    list_filter = ["phase__roadmap", "phase"]
    autocomplete_fields = ["topics"]


@admin.register(Topic)
class TopicAdmin(TouchesRoadmap, SimpleHistoryAdmin):
    list_display = [
        "title",
        "section",
        "phase",
        "est_hours",
        "order",
        "is_additional",
        "retired_at",
    ]
    list_filter = ["roadmap", "section", "phase", "is_additional"]
    search_fields = ["title", "slug", "body_md"]
    list_select_related = ["section", "phase"]
    readonly_fields = ["slug"]


@admin.register(Outcome)
class OutcomeAdmin(TouchesRoadmap, admin.ModelAdmin):
    list_display = ["text", "roadmap", "order"]
    list_filter = ["roadmap"]


@admin.register(Project)
class ProjectAdmin(TouchesRoadmap, admin.ModelAdmin):
    list_display = ["title", "roadmap", "order", "retired_at"]
    list_filter = ["roadmap"]
    autocomplete_fields = ["topics"]


@admin.register(FAQ)
class FAQAdmin(TouchesRoadmap, admin.ModelAdmin):
    list_display = ["question", "roadmap", "order"]
    list_filter = ["roadmap"]


@admin.register(Resource)
class ResourceAdmin(TouchesRoadmap, SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "origin", "topic", "health", "score"]
    list_filter = ["roadmap", "status", "kind", "origin", "health", "editors_pick"]
    search_fields = ["title", "url", "normalized_url"]
    list_select_related = ["topic"]
    raw_id_fields = ["submitted_by"]
    autocomplete_fields = ["topic"]
    readonly_fields = ["normalized_url", "source_key", "upvotes", "downvotes", "score"]
