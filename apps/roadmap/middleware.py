"""A fast path for the roadmap tree, placed right after WhiteNoise.

The tree is the API's hottest answer and is the same for every caller, so a cached copy
needs none of what the rest of the middleware stack does (sessions, CSRF, authentication,
messages, CSP for HTML, request logging). Like WhiteNoise for static files, this answers a GET
of `/api/v1/roadmaps/<slug>/` from the cache (or with a 304) at the cost of reading the
roadmap's `content_version` (pushed to the worker, apps.roadmap.version_feed: no query; else
one); anything else, including a cache miss, goes on to the view, which builds the tree and
caches it. Both use `api.cached_tree_response`, so the answers are
the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from apps.roadmap.api import cached_tree_response

_PLACEHOLDER = "slug-placeholder"


class RoadmapTreeFastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._pattern: re.Pattern[str] | None = None

    def _tree_path(self) -> re.Pattern[str]:
        if self._pattern is None:
            path = reverse("api:roadmap-tree", kwargs={"slug": _PLACEHOLDER})
            prefix, suffix = (re.escape(part) for part in path.split(_PLACEHOLDER))
            self._pattern = re.compile(f"^{prefix}(?P<slug>[-a-zA-Z0-9_]+){suffix}$")
        return self._pattern

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            match = self._tree_path().match(request.path_info)
            if match:
                response = cached_tree_response(request, match["slug"])
                if response is not None:
                    return response
        return self.get_response(request)
