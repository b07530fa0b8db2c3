"""How link health is shown to API clients."""

from __future__ import annotations

from rest_framework import serializers

from apps.linkcheck.models import LinkCheck


class LinkCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = LinkCheck
        fields = [
            "id",
            "checked_at",
            "url",
            "verdict",
            "status_code",
            "final_url",
            "error",
            "elapsed_ms",
            "attempts",
        ]


class CheckQueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField(help_text="a worker has the check now")
    detail = serializers.CharField()
