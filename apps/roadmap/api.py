"""The public, read-only content API: roadmaps, the whole tree, topics and resources.

Views are thin: they validate the query, call a selector and serialise. The tree is the one
heavy answer; its bytes are cached under the roadmap's `content_version`, so every worker
serves an edit on its very next request, and its ETag changes with them.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.roadmap import selectors
from apps.roadmap.readme_export import roadmap_to_markdown
from apps.roadmap.serializers import (
    ResourceFilterSerializer,
    ResourceSerializer,
    RoadmapListSerializer,
    RoadmapTreeSerializer,
    TopicDetailSerializer,
)
from apps.roadmap.versions import etag_matches
from roadmap_site.api_errors import NOT_FOUND as NOT_FOUND_RESPONSES
from roadmap_site.api_errors import ErrorSerializer

if TYPE_CHECKING:
    from apps.roadmap.models import Resource, Roadmap, Topic

logger = logging.getLogger(__name__)

# Bump when the tree's shape changes, so that no cached bytes of the old shape are served.
TREE_FORMAT = 1
TREE_CACHE_SECONDS = 60 * 60 * 24
# Where a request notes that the cache had no tree for a slug (the fast-path middleware, then
# the view, ask once between them).
TREE_MISSED = "roadmap.tree_missed"
TREE_TYPE = "application/json"


# ---------------------------------------------------------------------------------------------
# Views

NOT_FOUND = NOT_FOUND_RESPONSES[404]
PAGE_NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such page of the list.")


class RoadmapListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = RoadmapListSerializer

    def get_queryset(self):
        return selectors.roadmap_list()

    @extend_schema(
        summary="List the roadmaps",
        responses={200: RoadmapListSerializer(many=True), 404: PAGE_NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# A few trees kept in the worker itself, in front of the shared cache. Safe because every
# key holds the content_version, read on every request (pushed to the worker at each commit,
# apps.roadmap.version_feed, or from the database).
_LOCAL_TREES: OrderedDict[str, bytes] = OrderedDict()
_LOCAL_TREES_MAX = 8


def _cache_get(key: str) -> bytes | None:
    """The cached bytes, or None when absent or when the cache cannot be reached."""
    body = _LOCAL_TREES.get(key)
    if body is not None:
        return body
    try:
        body = cache.get(key)
    except Exception as error:  # a cache that is down degrades to no cache
        logger.warning("cache unavailable: get %s", key, extra={"error": repr(error)})
        return None
    if body is not None:
        _remember(key, body)
    return body


def _cache_set(key: str, value: bytes, timeout: int) -> None:
    _remember(key, value)
    try:
        cache.set(key, value, timeout)
    except Exception as error:  # a cache that is down degrades to no cache
        logger.warning("cache unavailable: set %s", key, extra={"error": repr(error)})


def _remember(key: str, value: bytes) -> None:
    _LOCAL_TREES[key] = value
    _LOCAL_TREES.move_to_end(key)
    while len(_LOCAL_TREES) > _LOCAL_TREES_MAX:
        _LOCAL_TREES.popitem(last=False)


def forget_local_trees() -> None:
    """Empty the worker's own copies (tests; the shared cache is cleared separately)."""
    _LOCAL_TREES.clear()


def tree_cache_key(slug: str, content_version: int) -> str:
    return f"roadmap-tree:{TREE_FORMAT}:{slug}:{content_version}"


def tree_etag(slug: str, content_version: int) -> str:
    return f'"{slug}.{content_version}.{TREE_FORMAT}"'


def tree_bytes(roadmap: Roadmap) -> bytes:
    data = RoadmapTreeSerializer(roadmap).data
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class RoadmapTreeView(APIView):
    """The whole roadmap in one answer; the same for every caller, so no authentication."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The whole roadmap tree",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="an ETag from an earlier answer; 304 when the content is the same",
            )
        ],
        responses={
            200: RoadmapTreeSerializer,
            304: OpenApiResponse(description="Not modified: the ETag sent is still current."),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        response = cached_tree_response(request, slug)
        if response is not None:
            return response
        roadmap = selectors.roadmap_tree(slug=slug)
        # Key the bytes by the version they were built from, which may be newer.
        version = roadmap.content_version
        body = tree_bytes(roadmap)
        _cache_set(tree_cache_key(slug, version), body, TREE_CACHE_SECONDS)
        body_response = HttpResponse(body, content_type=TREE_TYPE)
        return _tree_response(body_response, tree_etag(slug, version))


def _tree_response(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Clients may keep the answer but must revalidate it: an edit shows at once. (A new
    # response has no Cache-Control to merge with.)
    response["Cache-Control"] = "no-cache"
    return response


def cached_tree_response(request: HttpRequest, slug: str) -> HttpResponse | None:
    """A 304 or the cached bytes, at the cost of the roadmap's version (no query when it is
    pushed to the worker: apps.roadmap.version_feed; else one); None when the tree must be
    built.

    Also None for an unknown roadmap, so that the view answers the 404. A miss is noted on
    the request, so that the view after the fast-path middleware does not look again.
    """
    meta = request.META
    if meta.get(TREE_MISSED) == slug:
        return None
    sent = meta.get("HTTP_IF_NONE_MATCH")
    version = selectors.roadmap_version_or_none(slug=slug)
    if version is None:
        return None
    etag = tree_etag(slug, version)
    if etag_matches(sent, etag):  # the 304: no cache lookup, no body
        return _tree_response(HttpResponse(status=304, content_type=TREE_TYPE), etag)
    body = _cache_get(tree_cache_key(slug, version))
    if body is None:
        meta[TREE_MISSED] = slug
        return None
    return _tree_response(HttpResponse(body, content_type=TREE_TYPE), etag)


class TopicDetailView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = TopicDetailSerializer

    def get_object(self) -> Topic:
        return selectors.topic_detail(roadmap_slug=self.kwargs["slug"], slug=self.kwargs["topic"])

    @extend_schema(
        summary="A topic with its resources, best first",
        responses={200: TopicDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ResourceListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ResourceSerializer

    def get_queryset(self):
        query = ResourceFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.resource_list(**query.validated_data)

    @extend_schema(
        summary="Approved resources, filtered, searched and ordered",
        parameters=[ResourceFilterSerializer],
        responses={
            200: ResourceSerializer(many=True),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="A query parameter is invalid: {field: [messages]}"
            ),
            404: PAGE_NOT_FOUND,
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ResourceDetailView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = ResourceSerializer

    def get_object(self) -> Resource:
        return selectors.resource_get(pk=self.kwargs["pk"])

    @extend_schema(
        summary="One approved resource",
        responses={200: ResourceSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class MarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return data


class FileNegotiation(BaseContentNegotiation):
    """A file has one format: answer it whatever the Accept header says."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class RoadmapExportView(APIView):
    """The roadmap as Markdown that `import_roadmap` reads back to the same content."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [MarkdownRenderer]
    content_negotiation_class = FileNegotiation

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are answered in JSON like everywhere else in the API, not as Markdown.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        summary="The roadmap as Markdown, in the README's format",
        responses={
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR),
            (404, "application/json"): NOT_FOUND,
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        roadmap = selectors.roadmap_get(slug=slug)
        response = HttpResponse(
            roadmap_to_markdown(roadmap), content_type="text/markdown; charset=utf-8"
        )
        response["Content-Disposition"] = f'inline; filename="{roadmap.slug}-roadmap.md"'
        return response
