from django.contrib import admin

from apps.linkcheck.models import LinkCheck, LinkClaim


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin):
    """History is written by the checker only: read it here, never edit it."""

    list_display = ["checked_at", "resource", "verdict", "status_code", "url", "attempts"]
    list_filter = ["verdict"]
    search_fields = ["url", "final_url", "resource__title"]
    date_hierarchy = "checked_at"
    list_select_related = ["resource"]
    raw_id_fields = ["resource"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LinkClaim)
class LinkClaimAdmin(admin.ModelAdmin):
    list_display = ["resource", "host", "leased_until", "requested_at"]
    search_fields = ["host", "resource__title"]
    list_select_related = ["resource"]
    raw_id_fields = ["resource"]
    readonly_fields = ["token"]
