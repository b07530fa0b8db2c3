"""The showcase API: a project's showcase, likes, reviews and replies, review requests, the
review queue, flags. Thin views over services and selectors; refusals are answered by
roadmap_site.api_errors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.selectors import signed_in_user
from apps.showcase import selectors, services
from apps.showcase.serializers import (
    FlagInput,
    FlagOutput,
    LikeOutput,
    QueueItem,
    ReplyInput,
    ReviewInput,
    ReviewOutput,
    ReviewRequestOutput,
    ShowcaseFilter,
    ShowcaseItem,
)
from roadmap_site.api_errors import (
    CONFLICT,
    FORBIDDEN,
    INVALID,
    LIMITED,
    NOT_FOUND,
    UNAUTHENTICATED,
)
from roadmap_site.pagination import HousePagination


def _page(view: APIView, rows: Any, serializer: Any) -> Response:
    """One page of `rows` (a queryset or a list) in the house's pagination shape."""
    paginator = HousePagination()
    page: list[Any] | None = paginator.paginate_queryset(rows, view.request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


class ShowcaseView(APIView):
    permission_classes: list[Any] = []
    pagination_class = HousePagination  # the schema's paginated shape

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "only", str, many=True, enum=list(selectors.FILTERS), description="filters"
            )
        ],
        responses={200: ShowcaseItem(many=True), **INVALID, **NOT_FOUND},
    )
    def get(self, request: Request, slug: str, project: str) -> Response:
        found = selectors.project_get(roadmap_slug=slug, slug=project)
        wanted = ShowcaseFilter(data={"only": request.query_params.getlist("only")})
        wanted.is_valid(raise_exception=True)
        rows = selectors.showcase(
            project=found, viewer=request.user, filters=wanted.validated_data["only"]
        )
        return _page(self, rows, ShowcaseItem)


def _like_body(solution_id: int, tally: Any, liked: bool) -> dict[str, Any]:
    return {"solution": solution_id, "likes": tally.likes, "score": tally.score, "liked": liked}


class LikeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: LikeOutput, **UNAUTHENTICATED, **FORBIDDEN, **NOT_FOUND, **CONFLICT},
    )
    def put(self, request: Request, pk: int) -> Response:
        solution = selectors.solution_get(pk=pk)
        tally = services.like_add(user=signed_in_user(request), solution=solution)
        return Response(LikeOutput(_like_body(pk, tally, True)).data)

    @extend_schema(responses={200: LikeOutput, **UNAUTHENTICATED, **NOT_FOUND})
    def delete(self, request: Request, pk: int) -> Response:
        solution = selectors.solution_get(pk=pk)
        tally = services.like_remove(user=signed_in_user(request), solution=solution)
        return Response(LikeOutput(_like_body(pk, tally, False)).data)


class ReviewListCreateView(APIView):
    pagination_class = HousePagination

    def get_permissions(self) -> list[Any]:
        return [] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses={200: ReviewOutput(many=True), **NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        solution = selectors.solution_get(pk=pk)
        return _page(self, selectors.reviews_query(solution=solution), ReviewOutput)

    @extend_schema(
        request=ReviewInput,
        responses={
            201: ReviewOutput,
            **INVALID,
            **UNAUTHENTICATED,
            **FORBIDDEN,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        solution = selectors.solution_get(pk=pk)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(
            user=signed_in_user(request), solution=solution, body=data.validated_data["body"]
        )
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class ReplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReplyInput,
        responses={200: ReviewOutput, **INVALID, **UNAUTHENTICATED, **FORBIDDEN, **NOT_FOUND},
    )
    def put(self, request: Request, pk: int) -> Response:
        review = selectors.review_get(pk=pk)
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_reply(
            user=signed_in_user(request), review=review, body=data.validated_data["body"]
        )
        return Response(ReviewOutput(review).data)


class ReviewRequestView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: ReviewRequestOutput,
            **UNAUTHENTICATED,
            **FORBIDDEN,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        solution = selectors.solution_get(pk=pk, viewer=request.user)
        asked = services.review_request(user=signed_in_user(request), solution=solution)
        return Response(ReviewRequestOutput(asked).data, status=status.HTTP_201_CREATED)


class ReviewQueueView(APIView):
    """The project's open review requests in the queue's order: at most
    limits.REVIEW_QUEUE_ROWS, ordered in Python (rules.queue_order), paged from that list."""

    permission_classes: list[Any] = []
    pagination_class = HousePagination

    @extend_schema(responses={200: QueueItem(many=True), **NOT_FOUND})
    def get(self, request: Request, slug: str, project: str) -> Response:
        found = selectors.project_get(roadmap_slug=slug, slug=project)
        return _page(self, selectors.review_queue(project=found), QueueItem)


def _flag_response(request: Request, **target: Any) -> Response:
    data = FlagInput(data=request.data)
    data.is_valid(raise_exception=True)
    flag = services.flag_create(
        user=signed_in_user(request),
        reason=data.validated_data["reason"],
        note=data.validated_data["note"],
        **target,
    )
    return Response(FlagOutput(flag).data, status=status.HTTP_201_CREATED)


FLAG_RESPONSES = {
    201: FlagOutput,
    **INVALID,
    **UNAUTHENTICATED,
    **NOT_FOUND,
    **CONFLICT,
    **LIMITED,
}


class SolutionFlagView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=FlagInput, responses=FLAG_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return _flag_response(request, solution=selectors.solution_get(pk=pk))


class ReviewFlagView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=FlagInput, responses=FLAG_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return _flag_response(request, review=selectors.review_get(pk=pk))
