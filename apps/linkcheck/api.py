"""Link health for moderators (anonymous → 401, everyone else → 403): check a link now, read
its check history. Applying a redirect is a moderation action (apps.moderation). Thin: check
the role, call one service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import IsModerator
from apps.linkcheck import selectors, services
from apps.linkcheck.models import LinkCheck
from apps.roadmap.models import Resource
from roadmap_site.api_errors import DENIED, NOT_FOUND


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


class ResourceCheckView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Check a resource's link now",
        description="Answers at once (202). With a broker the check goes to a worker; without "
        "one, or with the broker down, the request is kept and the next sweep or "
        "`manage.py check_links --due` does it.",
        request=None,
        responses={
            202: CheckQueuedSerializer,
            400: OpenApiResponse(description="the resource has no link"),
            **DENIED,
            **NOT_FOUND,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = get_object_or_404(Resource.objects.only("id", "url"), pk=pk)
        try:
            queued = services.link_check_request(resource=resource)
        except ValidationError as error:
            raise APIValidationError(error.message_dict) from None
        detail = (
            "A worker will check the link in a moment."
            if queued
            else "The check is requested: the next sweep does it."
        )
        return Response({"queued": queued, "detail": detail}, status=status.HTTP_202_ACCEPTED)


class ResourceChecksView(ListAPIView):
    """A resource's link-check history, newest first (paginated)."""

    permission_classes = [IsModerator]
    serializer_class = LinkCheckSerializer

    def get_queryset(self):
        resource = get_object_or_404(Resource.objects.only("id"), pk=self.kwargs["pk"])
        return selectors.link_checks_for(resource=resource)

    @extend_schema(summary="A resource's link-check history, newest first")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
