"""The public read-only content API: shapes, ETags, the cached tree, filters, query counts."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.roadmap.api import forget_local_trees, tree_cache_key
from apps.roadmap.models import Resource, Roadmap
from apps.roadmap.services import roadmap_touch
from tests.factories import UserFactory
from tests.support.services import clear_own_cache_keys

pytestmark = pytest.mark.django_db

TREE = "/api/v1/roadmaps/{slug}/"


@pytest.fixture
def signed_in(api):
    api.force_login(UserFactory())
    return api


ENDPOINTS = [
    "/api/v1/roadmaps/",
    "/api/v1/roadmaps/ml-engineer/",
    "/api/v1/roadmaps/ml-engineer/topics/frameworks/",
    "/api/v1/roadmaps/ml-engineer/export.md",
    "/api/v1/resources/",
]


# --- who may read: everyone; nobody may write ----------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_and_signed_in_readers_get_the_same_public_content(seed, api, url) -> None:
    anonymous = api.get(url)
    assert anonymous.status_code == 200
    api.force_login(UserFactory())
    signed_in = api.get(url)
    assert signed_in.status_code == 200
    if url != "/api/v1/resources/":  # the list may later carry the caller's own votes
        assert signed_in.content == anonymous.content


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_content_endpoints_are_read_only(seed, signed_in, url) -> None:
    assert signed_in.post(url, {}).status_code == 405
    assert signed_in.delete(url).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/roadmaps/nope/",
        "/api/v1/roadmaps/nope/export.md",
        "/api/v1/roadmaps/ml-engineer/topics/nope/",
        "/api/v1/resources/999999/",
        "/api/v1/roadmaps/?page=9",
    ],
)
def test_what_does_not_exist_is_404(seed, api, url) -> None:
    response = api.get(url)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_resource_that_is_not_approved_is_not_found_for_anyone(seed, api) -> None:
    resource = Resource.objects.filter(origin="enrichment").first()
    resource.status = Resource.Status.PENDING
    resource.save()
    assert api.get(f"/api/v1/resources/{resource.pk}/").status_code == 404
    api.force_login(UserFactory())
    assert api.get(f"/api/v1/resources/{resource.pk}/").status_code == 404
    listed, page = set(), "/api/v1/resources/?page_size=100"  # every page (100 is the most)
    while page:
        body = api.get(page).json()
        listed |= {r["id"] for r in body["results"]}
        page = body["next"]
    assert len(listed) == body["count"] > 0 and resource.pk not in listed


def test_a_retired_topic_is_not_found(seed, api) -> None:
    seed.topics.filter(slug="frameworks").update(retired_at="2026-01-01T00:00:00Z")
    assert api.get("/api/v1/roadmaps/ml-engineer/topics/frameworks/").status_code == 404


# --- shapes -------------------------------------------------------------------------------------


def test_roadmap_list(seed, api) -> None:
    body = api.get("/api/v1/roadmaps/").json()
    assert body["count"] == 1 and body["previous"] is None and body["next"] is None
    (row,) = body["results"]
    assert set(row) == {"slug", "title", "summary", "topic_count", "updated_at"}
    assert (row["slug"], row["topic_count"]) == ("ml-engineer", 38)
    assert row["summary"].startswith("This repository offers a hands-on, structured roadmap")


def test_the_tree_holds_the_whole_roadmap(seed, api) -> None:
    tree = api.get(TREE.format(slug="ml-engineer")).json()
    assert set(tree) == {
        "slug", "title", "summary_html", "updated_at", "phases", "sections", "outcomes",
        "projects", "faqs",
    }  # fmt: skip
    assert [p["week_start"] for p in tree["phases"]] == [1, 5, 9, 13]
    assert sum(len(p["goals"]) for p in tree["phases"]) == 12
    assert tree["phases"][1]["goals"][0]["topics"] == ["workflow-orchestration"]
    assert len(tree["sections"]) == 7
    topics = [t for s in tree["sections"] for t in s["topics"]]
    assert len(topics) == 38
    assert set(topics[0]) == {
        "slug", "title", "summary", "phase", "is_additional", "est_hours", "resource_count",
    }  # fmt: skip
    frameworks = next(t for t in topics if t["slug"] == "frameworks")
    assert frameworks["resource_count"] == 5 and frameworks["phase"] == tree["phases"][0]["slug"]
    assert sum(t["est_hours"] for t in topics) == 157
    assert len(tree["outcomes"]) == 4 and isinstance(tree["outcomes"][0], str)
    assert [p["slug"] for p in tree["projects"]] == [
        "real-time-fraud-detection",
        "recommendation-system",
        "computer-vision-pipeline",
        "ml-powered-chatbot",
    ]
    assert tree["projects"][0]["topics"] == ["api-development", "containerization"]
    assert len(tree["faqs"]) == 3 and tree["faqs"][0]["answer_html"].startswith("<p>")


def test_topic_detail_ranks_resources_best_first(seed, api) -> None:
    best = Resource.objects.get(title="FastAPI")
    best.editors_pick = True
    best.save()
    Resource.objects.filter(title="gRPC").update(score=0.9, upvotes=9)
    body = api.get("/api/v1/roadmaps/ml-engineer/topics/api-development/").json()
    assert set(body) == {
        "slug", "title", "section", "phase", "body_html", "key_points", "est_hours", "resources",
    }  # fmt: skip
    assert body["section"] == seed.sections.get(number=4).slug
    assert [r["title"] for r in body["resources"]][:2] == ["FastAPI", "gRPC"]
    assert body["est_hours"] == 5
    resource = body["resources"][0]
    assert resource["kind"] == "docs" and resource["url"] == "https://fastapi.tiangolo.com/"


def test_resource_detail_shape(seed, api) -> None:
    resource = Resource.objects.get(title="Optuna")
    body = api.get(f"/api/v1/resources/{resource.pk}/").json()
    assert body == {
        "id": resource.pk,
        "url": "https://optuna.org/",
        "title": "Optuna",
        "kind": "tool",
        "description_html": body["description_html"],
        "roadmap": "ml-engineer",
        "topic": "hyperparameter-tuning",
        "editors_pick": False,
        "score": 0.0,
        "upvotes": 0,
        "downvotes": 0,
        "health": "unknown",
        "last_checked_at": None,
        "archive_url": None,
        "access": "",
        "access_seen_at": None,
        "submitted_by": None,
        "created_at": body["created_at"],
    }
    assert body["description_html"].startswith("<p>")


def test_export_is_markdown(seed, api) -> None:
    response = api.get("/api/v1/roadmaps/ml-engineer/export.md", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode().startswith("### Machine Learning Engineer Roadmap")


# --- resources: filters, search, ordering, pagination, bad input ---------------------------------


def titles(response) -> list[str]:
    return [r["title"] for r in response.json()["results"]]


def test_resource_filters(seed, api) -> None:
    assert set(titles(api.get("/api/v1/resources/?topic=explainable-ai"))) == {
        "SHAP documentation",
        "LIME",
    }
    kinds = {r["kind"] for r in api.get("/api/v1/resources/?kind=book").json()["results"]}
    assert kinds == {"book"}
    assert api.get("/api/v1/resources/?kind=book").json()["count"] == 2
    # 11 README resources and 88 from the enrichment (81 tools, 7 references for the topics that
    # name no tool)
    assert api.get("/api/v1/resources/?roadmap=ml-engineer").json()["count"] == 99
    assert api.get("/api/v1/resources/?roadmap=other").json()["count"] == 0
    assert api.get("/api/v1/resources/?health=broken").json()["count"] == 0
    Resource.objects.filter(title="LIME").update(health="broken")
    assert titles(api.get("/api/v1/resources/?health=broken")) == ["LIME"]


def test_resource_search(seed, api) -> None:
    assert set(titles(api.get("/api/v1/resources/?q=kubernetes&kind=tool"))) == {
        "Azure Kubernetes Service (AKS)",
        "Kubeflow",  # "Machine learning toolkit for Kubernetes"
        "Minikube",
    }
    assert titles(api.get("/api/v1/resources/?q=SHAPLEY")) == ["SHAP documentation"]


def test_resource_ordering(seed, api) -> None:
    Resource.objects.filter(title="Optuna").update(score=0.8)
    Resource.objects.filter(title="Feast").update(score=0.5)
    assert titles(api.get("/api/v1/resources/"))[:2] == ["Optuna", "Feast"]
    by_title = titles(api.get("/api/v1/resources/?ordering=title"))
    assert by_title == sorted(by_title)
    Resource.objects.filter(title="Jenkins").update(created_at="2030-01-01T00:00:00Z")
    assert titles(api.get("/api/v1/resources/?ordering=-created_at"))[0] == "Jenkins"


def test_resource_pagination(seed, api) -> None:
    first = api.get("/api/v1/resources/").json()
    assert first["count"] == 99 and len(first["results"]) == 50 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 49 and second["next"] is None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=poem", "kind"),
        ("health=great", "health"),
        ("ordering=url", "ordering"),
        ("topic=Not A Slug", "topic"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_resource_queries_are_400_naming_the_field(seed, api, query, field) -> None:
    response = api.get(f"/api/v1/resources/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- the cached tree: ETag, 304, next-request freshness, cache down ------------------------------


def test_etag_and_304(seed, api) -> None:
    response = api.get(TREE.format(slug="ml-engineer"))
    etag = response["ETag"]
    assert re.fullmatch(r'"ml-engineer\.\d+\.\d+"', etag)
    assert "no-cache" in response["Cache-Control"]
    again = api.get(TREE.format(slug="ml-engineer"), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    weak = api.get(TREE.format(slug="ml-engineer"), HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert weak.status_code == 304
    stale = api.get(TREE.format(slug="ml-engineer"), HTTP_IF_NONE_MATCH='"ml-engineer.0.1"')
    assert stale.status_code == 200


def test_a_304_needs_neither_the_cached_tree_nor_a_rebuild(seed, api) -> None:
    """The conditional answer does strictly less than the full one: the version query, then
    the ETag; the cached bytes are neither read nor built again."""
    path = TREE.format(slug="ml-engineer")
    etag = api.get(path)["ETag"]
    version = Roadmap.objects.get(slug="ml-engineer").content_version
    key = tree_cache_key("ml-engineer", version)
    cache.delete(key)
    forget_local_trees()
    with CaptureQueriesContext(connection) as queries:
        again = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert len(queries.captured_queries) == 1
    assert cache.get(key) is None  # not rebuilt
    assert api.get(path)["Content-Type"] == again["Content-Type"] == "application/json"


def test_an_edit_shows_on_the_very_next_request_with_a_new_etag(seed, api) -> None:
    first = api.get(TREE.format(slug="ml-engineer"))
    topic = seed.topics.get(slug="frameworks")
    topic.title = "Frameworks, edited"
    topic.save()
    roadmap_touch(roadmap=seed)  # what every content-changing service does
    second = api.get(TREE.format(slug="ml-engineer"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Frameworks, edited" in second.content.decode()


def test_the_bytes_are_cached_under_the_content_version(seed, api) -> None:
    version = Roadmap.objects.get(pk=seed.pk).content_version
    response = api.get(TREE.format(slug="ml-engineer"))
    assert cache.get(tree_cache_key("ml-engineer", version)) == response.content
    # A hit runs one query (the version) and serves the cached bytes as they are.
    cache.set(tree_cache_key("ml-engineer", version), b'{"cached":true}')
    forget_local_trees()  # as in another worker: only the shared cache has the tree
    with CaptureQueriesContext(connection) as queries:
        hit = api.get(TREE.format(slug="ml-engineer"))
    assert hit.content == b'{"cached":true}' and len(queries) == 1


def test_a_cache_that_is_down_degrades_to_no_cache(seed, api, settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = api.get(TREE.format(slug="ml-engineer"))
    assert response.status_code == 200
    assert len(response.json()["sections"]) == 7


@pytest.mark.integration
def test_the_tree_cache_works_on_real_redis(seed, api, settings, redis_url) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-roadmap-api-{uuid.uuid4().hex}",
        }
    }
    from django.core.cache import cache as redis_cache

    clear_own_cache_keys()
    first = api.get(TREE.format(slug="ml-engineer"))
    version = Roadmap.objects.get(pk=seed.pk).content_version
    assert redis_cache.get(tree_cache_key("ml-engineer", version)) == first.content
    forget_local_trees()  # as in another worker: only Redis has the tree
    with CaptureQueriesContext(connection) as queries:
        assert api.get(TREE.format(slug="ml-engineer")).content == first.content
    assert len(queries) == 1
    clear_own_cache_keys()


# --- query counts: fixed, the same at the seed's size and at ten times it ------------------------

QUERY_COUNTS = {
    "tree, cache miss": ("/api/v1/roadmaps/{slug}/", 11),
    "tree, 304": ("/api/v1/roadmaps/{slug}/", 1),
    "topic": ("/api/v1/roadmaps/{slug}/topics/{topic}/", 2),
    "resources": ("/api/v1/resources/?roadmap={slug}", 2),
    "roadmaps": ("/api/v1/roadmaps/", 2),
}


def count_queries(api, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, **headers)
    assert response.status_code in {200, 304}
    return len(queries)


@pytest.mark.parametrize("size", ["seed", "synthetic"])
def test_query_counts_are_fixed(request, api, size) -> None:
    roadmap = request.getfixturevalue(size)
    topic = roadmap.topics.order_by("order").first().slug
    counts = {}
    for name, (pattern, _) in QUERY_COUNTS.items():
        url = pattern.format(slug=roadmap.slug, topic=topic)
        if name == "tree, 304":
            etag = api.get(url)["ETag"]
            counts[name] = count_queries(api, url, HTTP_IF_NONE_MATCH=etag)
        else:
            clear_own_cache_keys()
            counts[name] = count_queries(api, url)
    print(size, counts)
    assert counts == {name: expected for name, (_, expected) in QUERY_COUNTS.items()}


def test_the_synthetic_roadmap_is_ten_times_the_seed(seed, synthetic) -> None:
    assert synthetic.topics.count() == 10 * seed.topics.count()
    assert synthetic.sections.count() == 10 * seed.sections.count()
    assert synthetic.resources.count() >= 7 * seed.resources.count()


# --- schema and docs ---------------------------------------------------------------------------


def test_the_schema_lists_every_status_code(api) -> None:
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        # 400: a NUL in the path or query; 401: a bad token (roadmap_site/schema.py)
        "/api/v1/roadmaps/": {"200", "400", "401", "404"},
        "/api/v1/roadmaps/{slug}/": {"200", "304", "400", "404"},
        "/api/v1/roadmaps/{slug}/topics/{topic}/": {"200", "400", "401", "404"},
        "/api/v1/roadmaps/{slug}/export.md": {"200", "400", "404"},
        "/api/v1/resources/": {"200", "400", "401", "404"},
        "/api/v1/resources/{id}/": {"200", "400", "401", "404"},
    }
    for path, codes in expected.items():
        assert set(paths[path]["get"]["responses"]) == codes, path
    names = {p["name"] for p in paths["/api/v1/resources/"]["get"]["parameters"]}
    assert {"roadmap", "topic", "kind", "health", "q", "ordering", "page"} <= names


def test_the_docs_page_is_csp_clean_and_offline(api) -> None:
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and "style=" not in html
    assert "cdn" not in html.lower() and "https://" not in html
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    script_url = re.search(r'<script src="(/api/docs/\?script=[^"]*)"', html).group(1)
    assert api.get(script_url).status_code == 200
    # Every script, style and icon is one of the site's own static files (Swagger UI's from
    # the sidecar package, the rest the site's pages use: the docs are a page of the site).
    assets = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css|svg|png|ico))"', html)
    assert any(a.startswith("/static/drf_spectacular_sidecar/") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/") and finders.find(asset.removeprefix("/static/"))


def test_the_fast_path_serves_a_cached_tree_before_sessions_and_auth(seed, api) -> None:
    built = api.get(TREE.format(slug="ml-engineer"))  # a miss: the view builds and caches
    api.force_login(UserFactory())
    with CaptureQueriesContext(connection) as queries:
        served = api.get(TREE.format(slug="ml-engineer"))
    assert len(queries) == 1  # the content_version only: no session, no user
    assert served.content == built.content
    assert served["ETag"] == built["ETag"]
    assert served["Content-Type"] == built["Content-Type"] == "application/json"
    assert served["Cache-Control"] == built["Cache-Control"]
    assert served["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware still ran
