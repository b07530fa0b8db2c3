"""The outbox: a Celery task call written in the same transaction as the change that needs it.

A row is pending until the publisher has handed it to the broker (`sent_at`). A failed publish
moves `due_at` later (backoff); the row stays until it goes out.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

# The longest error kept on a row (the broker's message, for the operator).
LAST_ERROR_MAX = 500


class OutboxMessage(models.Model):
    task = models.CharField(max_length=200, help_text="the Celery task's registered name")
    args = models.JSONField(default=list, help_text="its positional arguments")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now, help_text="not published before")
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=LAST_ERROR_MAX, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at", "id"], condition=Q(sent_at__isnull=True), name="outbox_pending"
            )
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else f"pending after {self.attempts} attempts"
        return f"{self.task}{tuple(self.args)} ({state})"
