from django.contrib import admin

from apps.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What waits for the broker, and why: written by services and the publisher only."""

    list_display = ["created_at", "task", "args", "attempts", "due_at", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task"]
    search_fields = ["task", "last_error"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
