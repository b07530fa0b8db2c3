"""Votes and reports on resources. Submissions are Resource rows with status pending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.roadmap.models import Resource


class Vote(models.Model):
    UP = 1
    DOWN = -1

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=[(UP, "up"), (DOWN, "down")])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="vote_once_per_resource"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_up_or_down"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {'+' if self.value > 0 else '-'}1 {self.resource}"


class Report(models.Model):
    class Reason(models.TextChoices):
        BROKEN = "broken", "The link is broken"
        SPAM = "spam", "Spam"
        OUTDATED = "outdated", "Outdated"
        DUPLICATE = "duplicate", "A duplicate"
        PAYWALLED = "paywalled", "Behind a paywall"
        OTHER = "other", "Something else"

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="reports"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_reports",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"],
                condition=Q(resolved_at__isnull=True),
                name="report_one_open_per_user_and_resource",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.resource}"
