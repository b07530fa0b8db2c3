"""The showcase API's shapes; limits from roadmap_site.limits, so the schema states them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.selectors import public_name
from apps.roadmap.rendering import render_markdown
from apps.showcase.models import Flag, Review
from apps.showcase.selectors import FILTERS
from roadmap_site import limits


class ShowcaseFilter(serializers.Serializer):
    only = serializers.ListField(
        child=serializers.ChoiceField(choices=list(FILTERS)), required=False, default=list
    )


class ShowcaseItem(serializers.Serializer):
    id = serializers.IntegerField()
    learner = serializers.SerializerMethodField()
    repository_url = serializers.URLField()
    demo_url = serializers.URLField(allow_null=True)
    demo_up = serializers.SerializerMethodField()
    likes = serializers.IntegerField(source="likes_count")
    score = serializers.FloatField()
    review_count = serializers.IntegerField()
    liked = serializers.BooleanField()
    evidence = serializers.SerializerMethodField()

    def get_learner(self, solution: Any) -> str:
        return public_name(solution.learner)

    def get_demo_up(self, solution: Any) -> bool:
        return bool(solution.demo_url and solution.demo_ok)

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"kind": {"type": "string"}, "label": {"type": "string"}},
                "required": ["kind", "label"],
            },
        }
    )
    def get_evidence(self, solution: Any) -> list[dict[str, str]]:
        return [
            {"kind": item.kind, "label": item.get_kind_display()}
            for item in solution.evidence.all()
            if item.present
        ]


class LikeOutput(serializers.Serializer):
    solution = serializers.IntegerField()
    likes = serializers.IntegerField()
    score = serializers.FloatField()
    liked = serializers.BooleanField()


class ReviewInput(serializers.Serializer):
    body = serializers.CharField(**limits.REVIEW_BODY.serializer_kwargs())


class ReplyInput(serializers.Serializer):
    body = serializers.CharField(**limits.REVIEW_REPLY.serializer_kwargs())


class ReviewOutput(serializers.ModelSerializer):
    reviewer = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    reply_html = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "solution",
            "reviewer",
            "body_md",
            "body_html",
            "reply_md",
            "reply_html",
            "created_at",
            "replied_at",
        ]

    def get_reviewer(self, review: Review) -> str:
        return public_name(review.reviewer)

    def get_body_html(self, review: Review) -> str:
        return str(render_markdown(review.body_md))

    def get_reply_html(self, review: Review) -> str:
        return str(render_markdown(review.reply_md))


class ReviewRequestOutput(serializers.Serializer):
    solution = serializers.IntegerField(source="solution_id")
    requested_at = serializers.DateTimeField()


class QueueItem(serializers.Serializer):
    solution = serializers.IntegerField(source="entry.solution_id")
    learner = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(source="entry.requested_at")
    reviews_given = serializers.IntegerField(source="entry.reviews_given")
    reviews_received = serializers.IntegerField(source="entry.reviews_received")

    def get_learner(self, row: Any) -> str:
        return public_name(row.solution.learner)


class FlagInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    note = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="Required when the reason is `other`.",
        **limits.FLAG_NOTE.serializer_kwargs(),
    )


class FlagOutput(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "solution", "review", "reason", "note", "created_at"]
