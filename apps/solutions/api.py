"""The solutions API. Thin views over services and selectors; every refusal is raised by them
and answered by roadmap_site.api_errors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.selectors import signed_in_user
from apps.solutions import selectors, services
from apps.solutions.serializers import (
    RequirementLinkInput,
    RequirementOutput,
    SolutionCreate,
    SolutionEdit,
    SolutionExistsSerializer,
    SolutionOutput,
    SolutionStaleSerializer,
    SolutionWithdraw,
    requirement_body,
)
from roadmap_site.api_errors import (
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    UNAUTHENTICATED,
)

STALE = {
    412: OpenApiResponse(
        SolutionStaleSerializer,
        description="`version` is stale; nothing written; `current` has the stored solution",
    )
}


def _viewer(request: Request) -> Any:
    return signed_in_user(request) if request.user.is_authenticated else None


class SolutionListCreateView(ListAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = SolutionOutput

    def get_queryset(self) -> QuerySet[Any]:
        roadmap = self.request.query_params.get("roadmap", "")
        slug = self.request.query_params.get("project", "")
        project = (
            selectors.project_get(roadmap_slug=roadmap, slug=slug) if roadmap or slug else None
        )
        return selectors.solutions_list(viewer=_viewer(self.request), project=project)

    @extend_schema(
        parameters=[
            OpenApiParameter("roadmap", str, description="with `project`: one project's"),
            OpenApiParameter("project", str, description="a project's slug"),
        ],
        responses={200: SolutionOutput(many=True), **NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SolutionCreate,
        responses={
            201: SolutionOutput,
            **INVALID,
            **UNAUTHENTICATED,
            **NOT_FOUND,
            409: OpenApiResponse(
                SolutionExistsSerializer,
                description="the learner has an active solution to this project (code "
                "`solution_exists`; `existing` has its id and version); nothing written",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = SolutionCreate(data=request.data)
        data.is_valid(raise_exception=True)
        project = selectors.project_get(
            roadmap_slug=data.validated_data["roadmap"], slug=data.validated_data["project"]
        )
        learner = signed_in_user(request)
        solution = services.solution_submit(learner=learner, project=project, data=data.to_input())
        shown = selectors.solution_get(pk=solution.pk, viewer=learner)
        return Response(SolutionOutput(shown).data, status=status.HTTP_201_CREATED)


class SolutionDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: SolutionOutput, **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        return Response(SolutionOutput(selectors.solution_get(pk=pk, viewer=_viewer(request))).data)

    @extend_schema(
        request=SolutionEdit,
        responses={
            200: SolutionOutput,
            **INVALID,
            **UNAUTHENTICATED,
            **FORBIDDEN,
            **NOT_FOUND,
            **STALE,
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        learner = signed_in_user(request)
        data = SolutionEdit(data=request.data)
        data.is_valid(raise_exception=True)
        solution = selectors.solution_get(pk=pk, viewer=learner)
        services.solution_edit(
            solution=solution,
            learner=learner,
            data=data.to_input(),
            if_version=data.validated_data["version"],
        )
        return Response(SolutionOutput(selectors.solution_get(pk=pk, viewer=learner)).data)


class SolutionWithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SolutionWithdraw,
        responses={
            204: None,
            **INVALID,
            **UNAUTHENTICATED,
            **FORBIDDEN,
            **NOT_FOUND,
            **STALE,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        learner = signed_in_user(request)
        data = SolutionWithdraw(data=request.data)
        data.is_valid(raise_exception=True)
        solution = selectors.solution_get(pk=pk, viewer=learner)
        services.solution_withdraw(
            solution=solution, learner=learner, if_version=data.validated_data["version"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class RequirementLinkView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RequirementLinkInput,
        responses={
            200: RequirementOutput,
            **INVALID,
            **UNAUTHENTICATED,
            **FORBIDDEN,
            **NOT_FOUND,
        },
        description="Link one requirement of the project's checklist to a URL or repository "
        "path, or an evidence item; with neither, the link is removed.",
    )
    def put(self, request: Request, pk: int, key: str) -> Response:
        learner = signed_in_user(request)
        data = RequirementLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        solution = selectors.solution_get(pk=pk, viewer=learner)
        link = services.requirement_link_put(
            solution=solution,
            learner=learner,
            requirement_key=key,
            target=data.validated_data["target"],
            evidence_kind=data.validated_data["evidence"],
            note=data.validated_data["note"],
        )
        text = next(
            row.requirement.text
            for row in selectors.requirement_rows(solution)
            if row.requirement.key == key
        )
        return Response(requirement_body(link, key, text))
