"""The public, read-only content API: roadmaps, the whole tree, topics and resources.

Views are thin: they validate the query, call a selector and serialise. The tree is the one
heavy answer; its bytes are cached under the roadmap's `content_version`, so every worker
serves an edit on its very next request, and its ETag changes with them.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.roadmap import selectors
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.readme_export import roadmap_to_markdown
from apps.roadmap.readme_parser import first_sentence
from apps.roadmap.rendering import render_markdown

logger = logging.getLogger(__name__)

# Bump when the tree's shape changes, so that no cached bytes of the old shape are served.
TREE_FORMAT = 1
TREE_CACHE_SECONDS = 60 * 60 * 24


# ---------------------------------------------------------------------------------------------
# Serializers (output only)


class ContentErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema_field(OpenApiTypes.STR)
class MarkdownHTMLField(serializers.Field):
    """A Markdown source field, answered as sanitised HTML."""

    def to_representation(self, value: str) -> str:
        return str(render_markdown(value or ""))


class RoadmapListSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()
    topic_count = serializers.IntegerField()

    class Meta:
        model = Roadmap
        fields = ["slug", "title", "summary", "topic_count", "updated_at"]

    def get_summary(self, roadmap: Roadmap) -> str:
        return first_sentence(roadmap.summary_md)


class SlugListField(serializers.ListField):
    child = serializers.SlugField()

    def to_representation(self, data: Any) -> list[str]:
        return [topic.slug for topic in data.all()]


class GoalSerializer(serializers.Serializer):
    text = serializers.CharField()
    topics = SlugListField()


class PhaseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    week_start = serializers.IntegerField()
    week_end = serializers.IntegerField()
    goals = GoalSerializer(many=True, source="goals.all")


class TreeTopicSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    phase = serializers.SlugField(source="phase.slug", allow_null=True, default=None)
    is_additional = serializers.BooleanField()
    est_hours = serializers.IntegerField(allow_null=True)
    resource_count = serializers.IntegerField()


class SectionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary_html = MarkdownHTMLField(source="summary_md")
    topics = TreeTopicSerializer(many=True, source="topics.all")


class ProjectSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    description_html = MarkdownHTMLField(source="description_md")
    topics = SlugListField()


class FAQSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer_html = MarkdownHTMLField(source="answer_md")


class OutcomeListField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, data: Any) -> list[str]:
        return [outcome.text for outcome in data.all()]


class RoadmapTreeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary_html = MarkdownHTMLField(source="summary_md")
    updated_at = serializers.DateTimeField()
    phases = PhaseSerializer(many=True, source="phases.all")
    sections = SectionSerializer(many=True, source="sections.all")
    outcomes = OutcomeListField()
    projects = ProjectSerializer(many=True, source="projects.all")
    faqs = FAQSerializer(many=True, source="faqs.all")


class ResourceSerializer(serializers.ModelSerializer):
    roadmap = serializers.SlugField(source="roadmap.slug")
    topic = serializers.SlugField(source="topic.slug", allow_null=True, default=None)
    description_html = MarkdownHTMLField(source="description_md")
    submitted_by = serializers.SerializerMethodField()
    archive_url = serializers.URLField(
        read_only=True, allow_null=True, help_text="The Internet Archive's copies; broken links"
    )

    class Meta:
        model = Resource
        fields = [
            "id",
            "url",
            "title",
            "kind",
            "description_html",
            "roadmap",
            "topic",
            "editors_pick",
            "score",
            "upvotes",
            "downvotes",
            "health",
            "last_checked_at",
            "archive_url",
            "submitted_by",
            "created_at",
        ]

    def get_submitted_by(self, resource: Resource) -> str | None:
        user = resource.submitted_by
        return (user.display_name or user.username) if user is not None else None


class TopicResourceSerializer(ResourceSerializer):
    class Meta(ResourceSerializer.Meta):
        pass


class TopicDetailSerializer(serializers.ModelSerializer):
    section = serializers.SlugField(source="section.slug")
    phase = serializers.SlugField(source="phase.slug", allow_null=True, default=None)
    body_html = MarkdownHTMLField(source="body_md")
    key_points = serializers.ListField(child=serializers.CharField())
    resources = ResourceSerializer(many=True, source="ranked_resources")

    class Meta:
        model = Topic
        fields = [
            "slug",
            "title",
            "section",
            "phase",
            "body_html",
            "key_points",
            "est_hours",
            "resources",
        ]


class ResourceFilterSerializer(serializers.Serializer):
    """The query of GET /resources/: every parameter optional, bad values answered with 400."""

    ORDERINGS = ("-score", "-created_at", "title")

    roadmap = serializers.SlugField(required=False, help_text="a roadmap's slug")
    topic = serializers.SlugField(required=False, help_text="a topic's slug")
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, required=False)
    health = serializers.ChoiceField(choices=Resource.Health.choices, required=False)
    q = serializers.CharField(
        required=False, max_length=200, help_text="words in the title or description"
    )
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-score")


# ---------------------------------------------------------------------------------------------
# Views

NOT_FOUND = OpenApiResponse(
    ContentErrorSerializer, description="No such roadmap, topic or resource."
)
PAGE_NOT_FOUND = OpenApiResponse(ContentErrorSerializer, description="No such page of the list.")


class RoadmapListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = RoadmapListSerializer

    def get_queryset(self):
        return selectors.roadmap_list()

    @extend_schema(
        summary="List the roadmaps",
        responses={200: RoadmapListSerializer(many=True), 404: PAGE_NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().get(request, *args, **kwargs)


# A few trees kept in the worker itself, in front of the shared cache. Safe because every
# key holds the content_version, which is read from the database on every request.
_LOCAL_TREES: OrderedDict[str, bytes] = OrderedDict()
_LOCAL_TREES_MAX = 8


def _cache_get(key: str) -> bytes | None:
    """The cached bytes, or None when absent or when the cache cannot be reached."""
    body = _LOCAL_TREES.get(key)
    if body is not None:
        return body
    try:
        body = cache.get(key)
    except Exception:  # a cache that is down degrades to no cache
        logger.warning("cache unavailable: get %s", key, exc_info=True)
        return None
    if body is not None:
        _remember(key, body)
    return body


def _cache_set(key: str, value: bytes, timeout: int) -> None:
    _remember(key, value)
    try:
        cache.set(key, value, timeout)
    except Exception:  # a cache that is down degrades to no cache
        logger.warning("cache unavailable: set %s", key, exc_info=True)


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


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = parse_etags(header)
    # Weak comparison, as If-None-Match asks for (RFC 9110, 13.1.2).
    return "*" in tags or etag in {tag.removeprefix("W/") for tag in tags}


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
        return _tree_response(HttpResponse(body, content_type="application/json"), slug, version)


def _tree_response(response: HttpResponse, slug: str, version: int) -> HttpResponse:
    response["ETag"] = tree_etag(slug, version)
    # Clients may keep the answer but must revalidate it: an edit shows at once.
    patch_cache_control(response, no_cache=True)
    return response


def cached_tree_response(request: HttpRequest, slug: str) -> HttpResponse | None:
    """A 304 or the cached bytes, at the cost of one query; None when the tree must be built.

    Also None for an unknown roadmap, so that the view answers the 404. A miss is noted on
    the request, so that the view after the fast-path middleware does not look again.
    """
    if getattr(request, "roadmap_tree_missed", None) == slug:
        return None
    version = selectors.roadmap_version_or_none(slug=slug)
    if version is None:
        return None
    if _etag_matches(request, tree_etag(slug, version)):
        return _tree_response(HttpResponse(status=304), slug, version)
    body = _cache_get(tree_cache_key(slug, version))
    if body is None:
        request.roadmap_tree_missed = slug
        return None
    return _tree_response(HttpResponse(body, content_type="application/json"), slug, version)


class TopicDetailView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = TopicDetailSerializer

    def get_object(self) -> Topic:
        return selectors.topic_detail(roadmap_slug=self.kwargs["slug"], slug=self.kwargs["topic"])

    @extend_schema(
        summary="A topic with its resources, best first",
        responses={200: TopicDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
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
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
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
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().get(request, *args, **kwargs)


class MarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return data


class FileNegotiation(BaseContentNegotiation):
    """A file has one format: answer it whatever the Accept header says."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list, format_suffix=None) -> tuple:
        return renderers[0], renderers[0].media_type


class RoadmapExportView(APIView):
    """The roadmap as Markdown that `import_roadmap` reads back to the same content."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [MarkdownRenderer]
    content_negotiation_class = FileNegotiation

    def handle_exception(self, exc: Exception) -> HttpResponse:
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
