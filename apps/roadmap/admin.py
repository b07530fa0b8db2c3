"""Admin for roadmap content: read-only. Topics and resources show their history
(django-simple-history).

Every content write goes through a service: the moderation pages normalise and check URLs,
refuse duplicates, write the public moderation log and bump the roadmap's content_version; the
importer merges three ways. An admin form would skip all of that, so the admin only shows
content, through roadmap_site.admin.ReadOnlyAdmin.
"""

from __future__ import annotations

from django.contrib import admin

from apps.roadmap.models import (
    FAQ,
    Outcome,
    PageVersion,
    Phase,
    PhaseGoal,
    Project,
    Resource,
    Roadmap,
    Section,
    Topic,
    TopicChange,
)
from roadmap_site.admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyPermissions


@admin.register(Roadmap)
class RoadmapAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "content_version", "updated_at"]
    search_fields = ["title", "slug"]


@admin.register(PageVersion)
class PageVersionAdmin(ReadOnlyAdmin):
    """The public pages' cache key (roadmap_site/page_cache.py), moved by services only."""

    list_display = ["version", "community_version"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "roadmap", "slug", "retired_at"]
    list_filter = ["roadmap"]
    search_fields = ["title", "slug"]


class PhaseGoalInline(ReadOnlyPermissions, admin.TabularInline):
    model = PhaseGoal
    extra = 0
    autocomplete_fields = ["topics"]


@admin.register(Phase)
class PhaseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "roadmap", "week_start", "week_end"]
    list_filter = ["roadmap"]
    inlines = [PhaseGoalInline]


@admin.register(PhaseGoal)
class PhaseGoalAdmin(ReadOnlyAdmin):
    list_display = ["text", "phase", "order"]
    list_filter = ["phase__roadmap", "phase"]
    autocomplete_fields = ["topics"]


@admin.register(Topic)
class TopicAdmin(ReadOnlyHistoryAdmin):
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


@admin.register(TopicChange)
class TopicChangeAdmin(ReadOnlyAdmin):
    """What learners who finished a topic are told changed (services.revisions.topic_revise)."""

    list_display = ["topic", "revision", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["topic"]
    raw_id_fields = ["topic"]


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ["text", "roadmap", "order"]
    list_filter = ["roadmap"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["title", "roadmap", "order", "retired_at"]
    list_filter = ["roadmap"]
    autocomplete_fields = ["topics"]


@admin.register(FAQ)
class FAQAdmin(ReadOnlyAdmin):
    list_display = ["question", "roadmap", "order"]
    list_filter = ["roadmap"]


@admin.register(Resource)
class ResourceAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "kind", "status", "origin", "topic", "health", "score"]
    list_filter = ["roadmap", "status", "kind", "origin", "health", "editors_pick"]
    search_fields = ["title", "url", "normalized_url"]
    list_select_related = ["topic"]
    raw_id_fields = ["submitted_by"]
    autocomplete_fields = ["topic"]
