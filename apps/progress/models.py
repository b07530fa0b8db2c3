"""A learner's own data: enrolment, progress per topic, ticked resources, weekly check-ins."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.roadmap.models import Project, Resource, Roadmap, Topic
from apps.roadmap.schedule import REFERENCE_HOURS_PER_WEEK
from roadmap_site.limits import CHECK_IN_HOURS, CHECK_IN_WEEK, HOURS_PER_WEEK, TIME_TAKEN


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Enrollment(models.Model):
    class Background(models.TextChoices):
        SOFTWARE_ENGINEER = "software_engineer", "Software engineer"
        DATA_SCIENTIST = "data_scientist", "Data scientist"
        RESEARCHER = "researcher", "Researcher"
        NEW_TO_ML = "new_to_ml", "New to ML"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="enrollments")
    start_date = models.DateField()
    hours_per_week = models.PositiveSmallIntegerField(default=REFERENCE_HOURS_PER_WEEK)
    background = models.CharField(
        max_length=32, choices=Background.choices, default=Background.NEW_TO_ML
    )
    goal_project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan_anchor = models.DateField(help_text="The plan is laid out from this date's week.")
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    paused_on = models.DateField(
        null=True,
        blank=True,
        help_text="Paused since this day (the learner's): no emails, nothing runs overdue.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "roadmap"], name="enrollment_once_per_roadmap"),
            models.CheckConstraint(
                condition=HOURS_PER_WEEK.q("hours_per_week"),
                name="enrollment_hours_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.roadmap}"


class TopicProgress(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_progress"
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="progress")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    note_md = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    auto_skipped = models.BooleanField(
        default=False, help_text="Skipped by the enrolment's background, not by the learner."
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every write: the ETag.")
    note_version = models.PositiveIntegerField(
        default=0,
        help_text="Bumped only when the note changes: the note form's check, so that a status "
        "change never invalidates a note being edited.",
    )
    hours_taken = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="About how long the topic took, in hours, as the learner said (only when "
        "done); without it the effort module derives a share of the week's check-in.",
    )
    revision_done = models.PositiveIntegerField(
        default=0,
        help_text="The topic's revision the learner finished (set when marked done) or last "
        'saw (raised by dismissing "updated since you finished").',
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "topic progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="progress_once_per_topic"),
            models.CheckConstraint(
                condition=Q(status="done") | Q(done_at__isnull=True),
                name="progress_done_at_only_when_done",
            ),
            models.CheckConstraint(
                condition=Q(hours_taken__isnull=True)
                | (Q(status="done") & TIME_TAKEN.q("hours_taken")),
                name="progress_hours_taken_when_done_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.topic} ({self.status})"


class ResourceTick(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resource_ticks"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="ticks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="tick_once_per_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ticked {self.resource}"


class WeeklyCheckIn(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="check_ins")
    week = models.PositiveSmallIntegerField()
    hours = models.PositiveSmallIntegerField()
    note_md = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["roadmap", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "roadmap", "week"], name="check_in_once_per_week"
            ),
            models.CheckConstraint(
                condition=CHECK_IN_WEEK.q("week"), name="check_in_week_in_range"
            ),
            models.CheckConstraint(
                condition=CHECK_IN_HOURS.q("hours"), name="check_in_hours_in_a_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}, week {self.week}: {self.hours} h"
