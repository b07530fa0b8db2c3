"""Admin for roadmap content: read-only. Topics and resources show their history
(django-simple-history).

Every content write goes through a service: the moderation pages normalise and check URLs,
refuse duplicates, write the public moderation log and bump the roadmap's content_version; the
importer merges three ways. An admin form would skip all of that, so the admin only shows
content. `ReadOnlyAdmin` is the one place that says so; every app's admin.py uses it for the
models its services own (tests/test_admin.py walks the registry).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
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

EDIT_CONTENT_ELSEWHERE = (
    "Read-only here. Edit topics and resources on the moderation pages (/moderation/), which "
    "check every change and record it in the public moderation log; the roadmap's structure "
    "comes from its README (manage.py import_roadmap)."
)


class ReadOnlyPermissions:
    """Nobody adds, changes or deletes here, superusers included."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    """A model a service owns: shown, never written, with a line saying where it is changed."""

    edit_elsewhere = EDIT_CONTENT_ELSEWHERE

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._say_where_to_edit(request)
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._say_where_to_edit(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def _say_where_to_edit(self, request: HttpRequest) -> None:
        if request.method == "GET":
            messages.info(request, self.edit_elsewhere)


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """History to read; simple_history's revert form saves on POST without asking for the
    change permission, so it is refused here."""

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied("Content is changed on the moderation pages, not here.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Roadmap)
class RoadmapAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "content_version", "updated_at"]
    search_fields = ["title", "slug"]


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
