"""Link health for moderators (anonymous → 401, everyone else → 403): check a link now, read
its check history. Applying a redirect is a moderation action (apps.moderation). Thin: check
the role, call one service; refusals are raised by them and answered by roadmap_site.api_errors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import IsModerator
from apps.linkcheck import selectors, services
from apps.linkcheck.serializers import CheckQueuedSerializer, LinkCheckSerializer
from roadmap_site.api_errors import DENIED, NOT_FOUND


class ResourceCheckView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Check a resource's link now",
        description="Answers at once (202). `queued` is true only when the check reached the "
        "task queue. With the broker down the check is kept and sent when it is back; "
        "without a broker the next sweep or `manage.py check_links --due` does it.",
        request=None,
        responses={
            202: CheckQueuedSerializer,
            400: OpenApiResponse(description="the resource has no link (`url`)"),
            **DENIED,
            **NOT_FOUND,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        outcome = services.link_check_request(resource=selectors.resource_to_check(pk=pk))
        return Response(
            CheckQueuedSerializer(
                {"queued": outcome is services.CheckNow.QUEUED, "detail": outcome.detail}
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )


class ResourceChecksView(ListAPIView):
    """A resource's link-check history, newest first (paginated)."""

    permission_classes = [IsModerator]
    serializer_class = LinkCheckSerializer

    def get_queryset(self) -> QuerySet[Any]:
        resource = selectors.resource_to_check(pk=self.kwargs["pk"])
        return selectors.link_checks_for(resource=resource)

    @extend_schema(
        summary="A resource's link-check history, newest first",
        responses={200: LinkCheckSerializer(many=True), **DENIED, **NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
