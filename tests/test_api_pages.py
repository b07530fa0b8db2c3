"""The API's pages: /api/docs/ as a page of the site, the tags that group its operations, and
the browsable root /api/v1/."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from roadmap_site.schema import APP_TAGS

pytestmark = pytest.mark.django_db

TAG_NAMES = [
    "roadmap",
    "progress",
    "community",
    "moderation",
    "link health",
    "account",
    "solutions",
    "showcase",
    "search",
]


@pytest.fixture
def schema(client: Client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_docs_page_has_the_site_header_lang_and_theme(client: Client) -> None:
    client.cookies["theme"] = "dark"
    html = client.get("/api/docs/").content.decode()
    assert re.search(r'<html lang="en"[^>]*data-theme="dark"', html)
    assert 'class="site-header"' in html and 'class="skip-link"' in html
    assert 'id="theme-choice"' in html
    assert "<h1>API documentation</h1>" in html and 'id="swagger-ui"' in html
    assert 'href="/api/v1/"' in html and 'href="/api/schema/"' in html


def test_every_tag_has_a_one_sentence_description(schema: dict) -> None:
    tags = {tag["name"]: tag["description"] for tag in schema["tags"]}
    assert list(tags) == TAG_NAMES
    assert set(APP_TAGS.values()) == set(TAG_NAMES)
    for name, description in tags.items():
        assert description.endswith(".") and description.count(". ") == 0, name


def test_every_operation_is_grouped_under_one_tag(schema: dict) -> None:
    seen: dict[str, set[str]] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert len(operation["tags"]) == 1, (method, path)
                assert operation["tags"][0] in TAG_NAMES, (method, path, operation["tags"])
                seen.setdefault(operation["tags"][0], set()).add(f"{method} {path}")
    assert set(seen) == set(TAG_NAMES)
    # The public read of a resource is the roadmap's; the moderators' edit of it is not.
    assert "get /api/v1/resources/{id}/" in seen["roadmap"]
    assert "patch /api/v1/resources/{id}/" in seen["moderation"]
    assert "post /api/v1/auth/token/" in seen["account"]
    assert "get /api/v1/resources/{id}/checks/" in seen["link health"]


def test_api_root_lists_the_groups_with_their_paths_and_links(client: Client, schema: dict) -> None:
    response = client.get("/api/v1/", HTTP_AUTHORIZATION="Token not-a-real-token-0000")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"
    assert [group["name"] for group in body["groups"]] == TAG_NAMES
    for group in body["groups"]:
        assert group["description"] and group["paths"], group["name"]
        for entry in group["paths"]:
            assert entry["path"] in schema["paths"] and entry["methods"]
    roadmap = next(g for g in body["groups"] if g["name"] == "roadmap")
    assert {"path": "/api/v1/roadmaps/", "methods": ["GET"]} in roadmap["paths"]
    assert "/api/v1/" not in schema["paths"]  # left out of the schema on purpose


def test_api_root_refuses_writes_with_json(client: Client) -> None:
    response = client.post("/api/v1/", {})
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "method_not_allowed"
