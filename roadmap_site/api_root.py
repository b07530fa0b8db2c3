"""GET /api/v1/: the API's front door for people exploring it in a browser or with curl.

It lists the endpoint groups (the tags of SPECTACULAR_SETTINGS["TAGS"], one per app, with
their descriptions) and the path templates in each, read from the published schema itself,
so the list cannot drift from the routes; and it links the schema and the docs page.

It is left out of the schema on purpose: it describes the schema rather than any resource,
and clients that read the schema have no use for it.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any, cast

from django.conf import settings
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _paths_by_tag() -> dict[str, list[dict[str, Any]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path, operations in schema["paths"].items():
        by_tag: dict[str, list[str]] = defaultdict(list)
        for method in METHODS:
            if method in operations:
                for tag in operations[method].get("tags", []):
                    by_tag[tag].append(method.upper())
        for tag, methods in by_tag.items():
            grouped[tag].append({"path": path, "methods": methods})
    return dict(grouped)


class ApiRootView(APIView):
    authentication_classes: list[Any] = []  # reads no credentials: the same answer for all
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        paths = _paths_by_tag()
        tags = cast(list[dict[str, str]], settings.SPECTACULAR_SETTINGS["TAGS"])
        groups = [
            {
                "name": tag["name"],
                "description": tag["description"],
                "paths": paths.get(tag["name"], []),
            }
            for tag in tags
        ]
        return Response(
            {
                "title": settings.SPECTACULAR_SETTINGS["TITLE"],
                "schema": request.build_absolute_uri(reverse("api-schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
                "groups": groups,
            }
        )
