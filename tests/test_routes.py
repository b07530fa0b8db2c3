"""One route per operation: under /api/ no two URL patterns share a path template, every
pattern is the one its own paths reach (none is shadowed by an earlier one, so removing an
app's URLs cannot hand its paths, or change another app's, to someone else), URL names are
unique in their namespace, and the OpenAPI schema lists every (path, method) exactly once."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient

from roadmap_site import api_urls

API = "api/"
METHODS = {"get", "post", "put", "patch", "delete"}
# A value for each path converter that no literal segment of the URLconf equals.
SAMPLES = {
    "int": "4242",
    "slug": "a-sample-slug",
    "str": "a-sample",
    "path": "a/sample",
    "uuid": "",
}
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str  # the whole route, e.g. "api/v1/resources/<int:pk>/"
    namespace: str
    name: str | None
    callback: Any

    @property
    def template(self) -> str:
        """The route with parameter names left out: what a client sees."""
        return _CONVERTER.sub(lambda m: "<" + (m["converter"] or "str") + ">", self.route)

    def sample(self) -> str:
        return "/" + _CONVERTER.sub(lambda m: SAMPLES[m["converter"] or "str"], self.route)


def _routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, prefix + route, inner.strip(":"))
        elif isinstance(entry, URLPattern):
            yield Route(prefix + route, namespace, entry.name, entry.callback)


def all_routes() -> list[Route]:
    return list(_routes(get_resolver().url_patterns))


def api_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith(API)]


def _is_plain(route: Route) -> bool:
    """A path() route (regexes, e.g. a catch-all, have no template to sample)."""
    return "^" not in route.route and "(?P" not in route.route


def test_no_two_api_patterns_share_a_path_template() -> None:
    counts = Counter(route.template for route in api_routes())
    assert counts, "no routes under /api/ found"
    assert [t for t, n in counts.items() if n > 1] == []


def test_each_api_pattern_is_the_one_its_paths_reach() -> None:
    """No pattern is shadowed: an earlier pattern never answers a later one's path."""
    resolver = get_resolver()
    for route in filter(_is_plain, api_routes()):
        match = resolver.resolve(route.sample())
        assert match.route == route.route, (route.route, "is shadowed by", match.route)


def test_url_names_are_unique_per_namespace() -> None:
    counts = Counter((r.namespace, r.name) for r in all_routes() if r.name)
    assert [key for key, n in counts.items() if n > 1] == []
    api_names = {r.name for r in api_routes() if r.namespace == "api"}
    assert {"resource-detail", "topic-detail"} <= api_names


def test_the_shared_paths_have_one_view_each() -> None:
    views = {
        r.template: r.callback.view_class.__name__
        for r in api_routes()
        if r.template in ("api/v1/resources/<int>/", "api/v1/roadmaps/<slug>/topics/<slug>/")
    }
    assert views == {
        "api/v1/resources/<int>/": "ResourceView",
        "api/v1/roadmaps/<slug>/topics/<slug>/": "TopicView",
    }


@pytest.mark.parametrize(
    "removed", [p for p in api_urls.urlpatterns if isinstance(p, URLResolver)], ids=str
)
def test_removing_an_apps_urls_changes_no_other_endpoint(removed: URLResolver) -> None:
    """Without one app's include, every other /api/v1/ path reaches the very same view."""
    full = URLResolver(RoutePattern(""), api_urls.urlpatterns)
    rest = URLResolver(RoutePattern(""), [p for p in api_urls.urlpatterns if p is not removed])
    gone = {str(p.pattern) for p in removed.url_patterns}
    kept = [r for r in _routes(rest.url_patterns) if _is_plain(r)]
    assert kept
    for route in kept:
        path = route.sample().lstrip("/")
        assert full.resolve(path).func == rest.resolve(path).func, route.route
        assert route.route not in gone


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicates = [key for key, n in Counter(keys).items() if n > 1]
    assert duplicates == [], f"listed twice in the schema: {duplicates}"
    return dict(pairs)


@pytest.mark.django_db
def test_the_schema_lists_every_operation_exactly_once(capsys) -> None:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content, object_pairs_hook=_no_duplicate_keys)
    operations = [
        (path, method, operation["operationId"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    # Each (path, method) once, and no operation id shared (drf-spectacular would add a suffix).
    assert len({(path, method) for path, method, _ in operations}) == len(operations)
    ids = Counter(operation_id for _, _, operation_id in operations)
    assert [i for i, n in ids.items() if n > 1] == []
    # One schema path per URL pattern of a documented view: none merged into another.
    documented = {path for path, _, _ in operations}
    as_schema = {
        "/"
        + re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", r"{\g<name>}", r.route).replace("{pk}", "{id}")
        for r in api_routes()
        if r.route.startswith("api/v1/")
    }
    assert documented <= as_schema
    assert len(operations) >= 40
    with capsys.disabled():
        print(f"\nOpenAPI: {len(operations)} operations on {len(documented)} paths, none twice")
