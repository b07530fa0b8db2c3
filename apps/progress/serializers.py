"""The personal API's bodies. Inputs read their bounds from roadmap_site.limits, so the
OpenAPI schema shows the same minimum, maximum and maxLength the services enforce."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from apps.progress.pause import pause_state
from apps.roadmap.models import Project, Roadmap
from apps.roadmap.schedule import REFERENCE_HOURS_PER_WEEK
from roadmap_site.limits import (
    CHECK_IN_HOURS,
    EFFORT_MIN_LEARNERS,
    HOURS_PER_WEEK,
    PROGRESS_NOTE,
    TIME_TAKEN,
    TOPIC_REVISION,
)

# A goal project is named by its slug, as long as the model allows.
PROJECT_SLUG_LENGTH = Project._meta.get_field("slug").max_length


class EnrollmentInput(serializers.Serializer):
    """Needs `context={"roadmap": Roadmap}`: a goal project is named by its slug there."""

    start_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="week 1 is this date's week; within a year of today (default: today)",
    )
    hours_per_week = serializers.IntegerField(
        required=False, default=REFERENCE_HOURS_PER_WEEK, **HOURS_PER_WEEK.serializer_kwargs()
    )
    background = serializers.ChoiceField(
        choices=Enrollment.Background.choices,
        required=False,
        default=Enrollment.Background.NEW_TO_ML,
    )
    goal_project = serializers.SlugField(
        required=False, allow_null=True, allow_blank=True, max_length=PROJECT_SLUG_LENGTH
    )

    def validate_goal_project(self, slug: str | None) -> Project | None:
        if not slug:
            return None
        roadmap: Roadmap = self.context["roadmap"]
        project = Project.objects.filter(roadmap=roadmap, slug=slug).first()
        if project is None:
            raise serializers.ValidationError("No project of this roadmap has that slug.")
        return project


class EnrollmentOutput(serializers.Serializer):
    roadmap = serializers.CharField(source="roadmap.slug")
    start_date = serializers.DateField()
    hours_per_week = serializers.IntegerField()
    background = serializers.CharField()
    goal_project = serializers.CharField(source="goal_project.slug", allow_null=True)
    calendar_url = serializers.SerializerMethodField()
    paused_since = serializers.SerializerMethodField(
        help_text="The day the plan was paused (the learner's date); null when it runs."
    )
    paused_until = serializers.SerializerMethodField(
        help_text="The day a pause runs out on its own (PLAN_PAUSE_MAX); null when it runs."
    )

    def get_paused_since(self, enrollment: Enrollment) -> date | None:
        return pause_state(enrollment).since

    def get_paused_until(self, enrollment: Enrollment) -> date | None:
        return pause_state(enrollment).ends_on

    def get_calendar_url(self, enrollment: Enrollment) -> str:
        path = reverse("progress:calendar", args=[enrollment.calendar_token])
        return self.context["request"].build_absolute_uri(path)


class PlanWeekOutput(serializers.Serializer):
    number = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    phase = serializers.IntegerField()
    topics = serializers.ListField(child=serializers.CharField())
    continues = serializers.ListField(child=serializers.CharField())
    hours = serializers.IntegerField()


class PlanOutput(serializers.Serializer):
    current_week = serializers.IntegerField()
    behind_by_weeks = serializers.IntegerField()
    weeks = PlanWeekOutput(many=True)


class PercentOutput(serializers.Serializer):
    number = serializers.IntegerField()
    percent = serializers.IntegerField()


class ProgressOutput(serializers.Serializer):
    percent_complete = serializers.IntegerField()
    phases = PercentOutput(many=True)
    sections = PercentOutput(many=True)
    topics = serializers.DictField(child=serializers.CharField())
    streak = serializers.IntegerField()


class TopicProgressInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=TopicProgress.Status.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, **PROGRESS_NOTE.serializer_kwargs()
    )
    hours_taken = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="about how long the topic took, in hours; only with status done; "
        "absent or null keeps an earlier answer",
        **TIME_TAKEN.serializer_kwargs(),
    )


class TopicProgressOutput(serializers.Serializer):
    topic = serializers.CharField()
    status = serializers.CharField()
    note = serializers.CharField()
    auto_skipped = serializers.BooleanField()
    version = serializers.IntegerField()
    hours_taken = serializers.IntegerField(
        allow_null=True, help_text="how long the topic took, as the learner said (done only)"
    )
    hours_derived = serializers.FloatField(
        allow_null=True,
        help_text="without hours_taken: the topic's share of the check-in hours of the week it "
        "was done in (docs/plan.md); null when that week has no check-in",
    )
    revision_done = serializers.IntegerField(
        allow_null=True,
        min_value=TOPIC_REVISION.min,
        max_value=TOPIC_REVISION.max,
        help_text="the topic's revision the learner finished it at, or later dismissed the "
        "changes up to (done only, else null); below revision_current, the topic's text or "
        'resources changed since: the pages say "updated since you finished"',
    )
    revision_current = serializers.IntegerField(
        min_value=TOPIC_REVISION.min,
        max_value=TOPIC_REVISION.max,
        help_text="the topic's revision now: bumped by every public change of its text, its "
        "resources or their links",
    )
    updated_at = serializers.DateTimeField(allow_null=True)


class StaleProgressOutput(TopicProgressOutput):
    """A 412: nothing was written; the current state, to merge and send again."""

    detail = serializers.CharField()
    code = serializers.CharField()

    class Meta:
        ref_name = "StaleTopicProgress"


class EffortOutput(serializers.Serializer):
    topic = serializers.CharField()
    based_on = serializers.ChoiceField(
        choices=["learners", "editorial"],
        help_text=f"learners: the figures of at least {EFFORT_MIN_LEARNERS} learners' own "
        "times; editorial: fewer answers, only the editorial estimate",
    )
    editorial_hours = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(
        help_text="learners' answers behind the figures (0: editorial)"
    )
    min_learners = serializers.IntegerField(help_text="answers needed before figures are shown")
    p25 = serializers.FloatField(allow_null=True, help_text="hours; linear interpolation")
    p50 = serializers.FloatField(allow_null=True, help_text="the median, in hours")
    p75 = serializers.FloatField(allow_null=True)


class TickOutput(serializers.Serializer):
    resource = serializers.IntegerField()
    ticked = serializers.BooleanField()


class CheckInInput(serializers.Serializer):
    hours = serializers.IntegerField(**CHECK_IN_HOURS.serializer_kwargs())
    note = serializers.CharField(
        required=False, allow_blank=True, default="", **PROGRESS_NOTE.serializer_kwargs()
    )


class CheckInOutput(serializers.ModelSerializer):
    note = serializers.CharField(source="note_md")

    class Meta:
        model = WeeklyCheckIn
        fields = ["week", "hours", "note", "updated_at"]


def topic_progress_body(state: dict[str, Any]) -> dict[str, Any]:
    """`services.topic_progress_state` as the API sends it."""
    return dict(TopicProgressOutput(state).data)
