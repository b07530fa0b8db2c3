"""Malformed requests get a clean 4xx in the house's shape and write nothing: bodies nested
absurdly deep, credentials that are not text, NUL bytes in paths, queries, cookies and fields,
methods a view does not have. Never a 500."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.test import Client

from apps.accounts.models import ApiToken
from apps.roadmap.models import Resource
from roadmap_site.api_errors import NUL_REFUSED
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def _json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _page(response) -> str:
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return response.content.decode()


# -- bodies nested deep


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/submissions/"), ("post", "/api/v1/auth/token/")],
)
def test_a_json_body_nested_deep_is_refused_with_400(owner, topic, method, path, depth) -> None:
    before = (Resource.objects.count(), ApiToken.objects.count())
    response = getattr(client_for(owner), method)(
        path, data=_nested(depth), content_type="application/json"
    )
    assert response.status_code == 400
    body = _json(response)
    assert body["code"] == "parse_error" and "nested deeper" in body["detail"]
    assert (Resource.objects.count(), ApiToken.objects.count()) == before


def test_a_deep_body_is_refused_on_put_too(owner, topic) -> None:
    path = f"/api/v1/me/progress/{topic.roadmap.slug}/topics/{topic.slug}/"
    response = client_for(owner).put(
        path, data='{"status": ' + _nested(5_000) + "}", content_type="application/json"
    )
    assert response.status_code == 400
    assert _json(response)["code"] == "parse_error"


def test_a_shallow_body_still_reaches_the_serializer(owner, topic) -> None:
    response = client_for(owner).post(
        "/api/v1/submissions/", data=_nested(3), content_type="application/json"
    )
    assert response.status_code == 400
    assert _json(response).get("code") != "parse_error"


# -- credentials that are not text


def _raw_get(live_server, path: str, authorization: bytes) -> tuple[int, str, bytes]:
    url = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
    try:
        connection.putrequest("GET", path)
        connection.putheader("Authorization", authorization)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "authorization",
    [b"Token \xff\xfe", b"Bearer \xc3\x28abc", b"Token abc\x01def"],
    ids=["not-utf8", "broken-utf8", "control-byte-refused-before-too"],
)
def test_a_token_that_is_not_text_answers_401_on_a_live_server(live_server, authorization) -> None:
    status, content_type, body = _raw_get(live_server, "/api/v1/me/export/", authorization)
    assert status == 401
    assert content_type.startswith("application/json")
    assert json.loads(body)["code"] == "authentication_failed"


def test_a_nul_in_a_token_answers_401(client) -> None:
    response = client.get("/api/v1/me/export/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 401
    assert _json(response)["code"] == "authentication_failed"


# -- NUL bytes in paths, queries, cookies and fields


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/resources/?topic=%00",
        "/api/v1/resources/?q=%00",
        "/api/v1/resources/?roadmap=ml%00",
        "/api/v1/resources/?%00=1",
        "/api/v1/roadmaps/%00/",
        "/api/v1/me/progress/%00/",
    ],
)
def test_a_nul_in_an_api_path_or_query_answers_json_400(client, topic, path) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert _json(response) == {"detail": "The request could not be read.", "code": "bad_request"}


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/%00.ics",
        "/calendar/abc%00def.ics",
        "/roadmaps/{slug}/submit/?topic=%00",
        "/roadmaps/{slug}/?q=%00",
    ],
)
def test_a_nul_in_a_page_path_or_query_answers_the_styled_400(owner, topic, path) -> None:
    client = Client()
    client.force_login(owner)
    response = client.get(path.format(slug=topic.roadmap.slug))
    assert response.status_code == 400
    assert "The request could not be read" in _page(response)


def test_a_nul_in_a_cookie_answers_400(client) -> None:
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/api/v1/roadmaps/")
    assert response.status_code == 400
    assert _json(response)["code"] == "bad_request"


def _nul_refusal() -> dict:
    """PostgreSQL refuses NUL in text before the slug's lookup runs (the house's one message);
    SQLite stores any text, so the lookup itself finds no such roadmap: a 400 either way."""
    if connection.vendor == "postgresql":
        return {"non_field_errors": [NUL_REFUSED]}
    return {"roadmap": ["No roadmap has that slug."]}


def test_a_nul_in_a_json_field_is_refused_and_writes_nothing(owner, topic) -> None:
    body = {
        "roadmap": "ml\x00engineer",
        "url": "https://blog.example/nul",
        "title": "A title",
        "kind": "article",
    }
    response = client_for(owner).post("/api/v1/submissions/", body, format="json")
    assert response.status_code == 400
    assert _json(response) == _nul_refusal()
    assert not Resource.objects.filter(url="https://blog.example/nul").exists()


@pytest.mark.parametrize("format_", ["multipart", None])
def test_a_nul_in_an_api_form_field_is_refused_and_writes_nothing(owner, topic, format_) -> None:
    body = {
        "roadmap": "ml\x00engineer",
        "url": "https://blog.example/nul",
        "title": "A title",
        "kind": "article",
    }
    client = client_for(owner)
    if format_ is None:
        response = client.post(
            "/api/v1/submissions/",
            urlencode(body),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.post("/api/v1/submissions/", body, format=format_)
    assert response.status_code == 400
    assert _json(response) == _nul_refusal()
    assert not Resource.objects.filter(url="https://blog.example/nul").exists()


def test_a_nul_in_a_field_the_api_ignores_is_ignored(owner, topic) -> None:
    body = {"roadmap": topic.roadmap.slug, "url": "https://blog.example/extra", "title": "A title"}
    response = client_for(owner).post(
        "/api/v1/submissions/", {**body, "kind": "article", "unknown": "a\x00b"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_nul_in_a_page_form_field_is_refused_and_writes_nothing(owner, topic) -> None:
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/roadmaps/{topic.roadmap.slug}/submit/",
        {
            "topic": "",
            "url": "https://blog.example/nul-page",
            "title": "Testing\x00 ML code",
            "kind": "article",
            "description": "",
        },
    )
    assert response.status_code == 400
    assert "The request could not be read" in _page(response)
    assert not Resource.objects.filter(url="https://blog.example/nul-page").exists()


# -- methods a view does not have


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PROPFIND"])
def test_a_method_the_view_lacks_answers_405_before_authentication(client, method) -> None:
    response = client.generic(method, "/api/v1/auth/token/")
    assert response.status_code == 405
    assert _json(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "DELETE, OPTIONS, POST"
