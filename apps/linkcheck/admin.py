from django.contrib import admin

from apps.linkcheck.models import LinkCheck, LinkClaim
from roadmap_site.admin import ReadOnlyAdmin


class LinkHealthAdmin(ReadOnlyAdmin):
    edit_elsewhere = (
        "Read-only here. The link checker writes link history and claims; moderators act on "
        "broken links and redirects on the moderation pages (/moderation/)."
    )


@admin.register(LinkCheck)
class LinkCheckAdmin(LinkHealthAdmin):
    """History is written by the checker only: read it here, never edit it."""

    list_display = ["checked_at", "resource", "verdict", "status_code", "url", "attempts"]
    list_filter = ["verdict"]
    search_fields = ["url", "final_url", "resource__title"]
    date_hierarchy = "checked_at"
    list_select_related = ["resource"]
    raw_id_fields = ["resource"]


@admin.register(LinkClaim)
class LinkClaimAdmin(LinkHealthAdmin):
    list_display = ["resource", "host", "leased_until", "requested_at"]
    search_fields = ["host", "resource__title"]
    list_select_related = ["resource"]
    raw_id_fields = ["resource"]
