"""The public moderation log: one row for every moderation write, never changed afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ModerationAction(models.Model):
    """What a moderator did, to what, and why. Append-only and public.

    `actor_name` is the moderator's public name at the time; when that account is deleted it
    becomes the pseudonym "moderator <id>" (see services.audit.moderation_log_pseudonymise).
    `reason` is public: never copy a reporter's note, an email address or a learner's private
    note into it.
    """

    class Action(models.TextChoices):
        APPROVE = "approve", "approved"
        REJECT = "reject", "rejected"
        EDIT = "edit", "edited"
        RETIRE = "retire", "retired"
        PICK = "pick", "changed the editor's pick of"
        MERGE = "merge", "merged"
        UPDATE_URL = "update-url", "updated the URL of"
        RESOLVE_REPORT = "resolve-report", "resolved a report on"
        EDIT_TOPIC = "edit-topic", "edited the topic"
        REVERT = "revert", "reverted the topic"
        LINK_ACCESS = "link-access", "found the link of"
        HIDE_SOLUTION = "hide-solution", "hid the solution"
        RESTORE_SOLUTION = "restore-solution", "restored the solution"
        REMOVE_REVIEW = "remove-review", "removed a review of"
        DISMISS_FLAG = "dismiss-flag", "dismissed a flag on"
        CLOSE_FLAG = "close-flag", "closed a flag on"

    class Target(models.TextChoices):
        RESOURCE = "resource"
        REPORT = "report"
        TOPIC = "topic"
        SOLUTION = "solution"
        REVIEW = "review"
        FLAG = "flag"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    target_type = models.CharField(max_length=16, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    target_title = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="modlog_newest_first"),
            models.Index(fields=["target_type", "target_id"], name="modlog_target"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_type} {self.target_id}"
