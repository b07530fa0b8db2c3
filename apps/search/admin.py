"""The search index, read-only: its rows are written by apps.search.services only."""

from __future__ import annotations

from django.contrib import admin

from apps.search.models import SearchDocument
from roadmap_site.admin import ReadOnlyAdmin


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "object_id", "roadmap_id", "phase_title", "url"]
    list_filter = ["kind"]
    search_fields = ["title"]
    exclude = ["vector"]
