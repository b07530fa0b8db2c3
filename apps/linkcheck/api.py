"""Link health for moderators (anonymous → 401, everyone else → 403): check a link now, read
its check history, apply a permanent redirect. Thin: check the role, call one service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.linkcheck import selectors, services
from apps.linkcheck.models import LinkCheck
from apps.moderation.api import (
    CONFLICT,
    DENIED,
    NOT_FOUND,
    IsModerator,
    ModeratedResourceSerializer,
    ModeratorAPIView,
)
from apps.moderation.services import ModerationConflict
from apps.roadmap.models import Resource


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


class ResourceCheckView(ModeratorAPIView):
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


class ResourceApplyRedirectView(ModeratorAPIView):
    @extend_schema(
        summary="Replace a resource's URL with where its link permanently redirects",
        description="Logged as `update-url`. 409 when the last check found no permanent "
        "redirect, or when the new URL is already another resource of the roadmap.",
        request=None,
        responses={200: ModeratedResourceSerializer, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = get_object_or_404(Resource, pk=pk)
        try:
            resource = services.resource_redirect_apply(actor=request.user, resource=resource)
        except ValidationError as error:
            raise APIValidationError(error.message_dict) from None
        except ModerationConflict as conflict:
            return Response(
                {"detail": conflict.message, **conflict.extra}, status=status.HTTP_409_CONFLICT
            )
        resource = Resource.objects.select_related("roadmap", "topic", "submitted_by").get(
            pk=resource.pk
        )
        return Response(ModeratedResourceSerializer(resource).data)
