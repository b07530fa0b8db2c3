"""The community's serializers: how submissions, votes and reports are shown to API clients."""

from __future__ import annotations

from rest_framework import serializers

from apps.accounts.selectors import public_name
from apps.roadmap.models import Resource


class SubmissionOutput(serializers.ModelSerializer):
    roadmap = serializers.CharField(source="roadmap.slug")
    topic = serializers.CharField(source="topic.slug", allow_null=True)
    description = serializers.CharField(source="description_md")
    reason = serializers.CharField(source="review_reason")
    submitted_by = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "roadmap",
            "topic",
            "url",
            "title",
            "kind",
            "description",
            "status",
            "reason",
            "submitted_by",
            "created_at",
            "reviewed_at",
        ]

    def get_submitted_by(self, resource: Resource) -> str:
        return public_name(resource.submitted_by)
