"""Read-only admin pages for what services own: the one place that says so.

Every content write goes through a service (normalised and checked, written to the public
moderation log); an admin form would skip all of that. Every app's admin.py uses
`ReadOnlyAdmin` for the models its services own; tests/test_admin.py walks the registry, so a
new model cannot slip through.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

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
