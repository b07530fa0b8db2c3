"""What the learner emails have sent: one row per email, so a retry never sends twice.

`WeeklyEmail` is claimed before the Monday email goes out (its unique (user, week) row, then
SELECT ... FOR UPDATE SKIP LOCKED); `handled_at` is set in the same transaction as the send.
`DriftNudge` holds when the last nudge went out, one row per enrolment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class WeeklyEmail(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_emails"
    )
    week_of = models.DateField(help_text="The Monday of the week, in the learner's time zone.")
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(
        null=True, blank=True, help_text="When it went out, or was found to have nothing to say."
    )
    skipped = models.CharField(
        max_length=100, blank=True, help_text="Why nothing went out (paused, finished...)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week_of"], name="weekly_email_once_a_week")
        ]

    def __str__(self) -> str:
        state = self.skipped or ("sent" if self.handled_at else "claimed")
        return f"{self.user}, week of {self.week_of} ({state})"


class DriftNudge(models.Model):
    enrollment = models.OneToOneField(
        "progress.Enrollment", on_delete=models.CASCADE, related_name="drift_nudge"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"nudge for {self.enrollment_id} (last {self.sent_at})"
