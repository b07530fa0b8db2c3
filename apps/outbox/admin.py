from django.contrib import admin

from apps.outbox.models import OutboxMessage
from roadmap_site.admin import ReadOnlyAdmin


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """What waits for the broker, and why: written by services and the publisher only."""

    edit_elsewhere = "Read-only: services write these rows and the outbox-publish job sends them."

    list_display = ["created_at", "task", "args", "attempts", "due_at", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task"]
    search_fields = ["task", "last_error"]
    date_hierarchy = "created_at"
