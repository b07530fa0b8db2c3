"""The one error contract: each refusal answered the same way by the API and by pages, every
answer under /api/ JSON, styled pages for the site, and the limits' own arithmetic."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import Throttled
from rest_framework.views import APIView

from roadmap_site import limits
from roadmap_site.api_errors import exception_handler
from roadmap_site.errors import (
    WHOLE_INPUT,
    ApplicationError,
    Conflict,
    Invalid,
    LimitReached,
    NotAllowed,
    NotFound,
    Stale,
)
from roadmap_site.form_errors import call_for_form, form_status, refusal_of

# -- a URLconf of the real site plus views that fail on purpose


class _BoomAPI(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


class _RefuseAPI(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request, kind: str):
        raise _REFUSALS[kind]


def _boom_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internals: password=hunter2")


def _forbidden_page(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _refuse_page(request: HttpRequest, kind: str) -> HttpResponse:
    raise _REFUSALS[kind]


_REFUSALS: dict[str, ApplicationError] = {
    "invalid": Invalid({"title": ["The title must be 3 to 200 characters long."]}),
    "not-allowed": NotAllowed("You cannot vote on your own submission."),
    "not-found": NotFound("No such resource."),
    "conflict": Conflict("This link is already on the roadmap.", existing={"id": 7}),
    "stale": Stale("Changed since you loaded it.", current={"version": 4}),
    "limit": LimitReached("20 submissions a day at most.", retry_after=3600),
}

urlpatterns = [
    path("api/v1/test-boom/", _BoomAPI.as_view()),
    path("api/v1/test-refuse/<str:kind>/", _RefuseAPI.as_view()),
    path("test-boom/", _boom_page),
    path("test-forbidden/", _forbidden_page),
    path("test-refuse/<str:kind>/", _refuse_page),
    path("", include("roadmap_site.urls")),
]
handler400 = "roadmap_site.error_views.bad_request"
handler403 = "roadmap_site.error_views.permission_denied"
handler404 = "roadmap_site.error_views.page_not_found"
handler500 = "roadmap_site.error_views.server_error"

pytestmark = pytest.mark.urls(__name__)


def _json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


# -- the handler, one refusal at a time


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("invalid", 400, {"title": ["The title must be 3 to 200 characters long."]}),
        (
            "not-allowed",
            403,
            {"detail": "You cannot vote on your own submission.", "code": "not_allowed"},
        ),
        ("not-found", 404, {"detail": "No such resource.", "code": "not_found"}),
        (
            "conflict",
            409,
            {
                "detail": "This link is already on the roadmap.",
                "code": "conflict",
                "existing": {"id": 7},
            },
        ),
        (
            "stale",
            412,
            {"detail": "Changed since you loaded it.", "code": "stale", "current": {"version": 4}},
        ),
        (
            "limit",
            429,
            {
                "detail": "20 submissions a day at most.",
                "code": "limit_reached",
                "retry_after": 3600,
            },
        ),
    ],
)
def test_each_refusal_answers_its_status_and_body_in_the_api(client, kind, status, body) -> None:
    response = client.get(f"/api/v1/test-refuse/{kind}/")
    assert response.status_code == status
    assert _json(response) == body
    if kind == "limit":
        assert response["Retry-After"] == "3600"
    else:
        assert "Retry-After" not in response


def test_djangos_own_refusals_read_like_ours() -> None:
    invalid = exception_handler(ValidationError({"__all__": ["Pick one."], "url": ["Bad."]}), {})
    assert invalid is not None and invalid.status_code == 400
    assert invalid.data == {WHOLE_INPUT: ["Pick one."], "url": ["Bad."]}
    plain = exception_handler(ValidationError("Not a date."), {})
    assert plain is not None and plain.data == {WHOLE_INPUT: ["Not a date."]}
    missing = exception_handler(Http404("No Roadmap matches the given query."), {})
    assert missing is not None and missing.status_code == 404
    assert missing.data == {"detail": "Not found.", "code": "not_found"}
    denied = exception_handler(PermissionDenied(), {})
    assert denied is not None and denied.status_code == 403 and denied.data["code"] == "not_allowed"


def test_drf_refusals_carry_a_code_and_throttles_a_retry_after() -> None:
    throttled = exception_handler(Throttled(wait=12.4), {})
    assert throttled is not None and throttled.status_code == 429
    # DRF rounds the wait up; the body says the same as the header.
    assert throttled.data["code"] == "throttled" and throttled.data["retry_after"] == 13
    assert throttled["Retry-After"] == "13"


def test_a_fault_is_left_to_django_to_log() -> None:
    assert exception_handler(RuntimeError("boom"), {}) is None


# -- every answer under /api/ is JSON


def test_an_unknown_api_path_answers_json_404(client) -> None:
    response = client.get("/api/v1/no-such-path/")
    assert response.status_code == 404
    assert _json(response) == {"detail": "Not found.", "code": "not_found"}


def test_an_unknown_api_path_answers_json_404_in_debug_too(client, settings) -> None:
    settings.DEBUG = True
    response = client.get("/api/v1/no-such-path/")
    assert response.status_code == 404
    assert _json(response)["code"] == "not_found"


def test_a_wrong_method_answers_json_405_with_allow(client) -> None:
    response = client.delete("/api/v1/roadmaps/")
    assert response.status_code == 405
    body = _json(response)
    assert body["code"] == "method_not_allowed" and "DELETE" in body["detail"]
    assert "GET" in response["Allow"]


def test_a_body_too_large_answers_json_413_before_any_view(client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/api/v1/auth/token/", data="x" * 2048, content_type="application/json")
    assert response.status_code == 413
    assert _json(response) == {"detail": "The request body is too large.", "code": "too_large"}


def test_a_body_within_the_limit_reaches_the_view(client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/api/v1/auth/token/", data="{}", content_type="application/json")
    assert response.status_code == 400  # the view read it: username and password missing


def test_a_server_error_in_an_api_view_answers_json_500_with_the_request_id(client) -> None:
    client.raise_request_exception = False
    response = client.get("/api/v1/test-boom/", HTTP_X_REQUEST_ID="req-abc-123")
    assert response.status_code == 500
    body = _json(response)
    assert body["code"] == "server_error" and body["request_id"]
    text = response.content.decode()
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text


def test_the_api_schema_and_docs_are_not_caught_by_the_json_fallback(client) -> None:
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and docs["Content-Type"].startswith("text/html")


# -- styled pages for people


def _is_site_page(response) -> bool:
    text = response.content.decode()
    return response["Content-Type"].startswith("text/html") and "ML Engineer Roadmap" in text


@pytest.mark.django_db
def test_an_unknown_page_is_the_styled_404(client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and _is_site_page(response)
    assert "Page not found" in response.content.decode()
    assert "/no-such-page/" in response.content.decode()


@pytest.mark.django_db
def test_a_forbidden_page_is_the_styled_403(client) -> None:
    response = client.get("/test-forbidden/")
    assert response.status_code == 403 and _is_site_page(response)
    assert "Sign in" in response.content.decode()


def test_a_fault_on_a_page_is_the_styled_500_with_a_reference(client) -> None:
    client.raise_request_exception = False
    response = client.get("/test-boom/")
    assert response.status_code == 500 and _is_site_page(response)
    text = response.content.decode()
    assert "Something went wrong on our side" in text and "hunter2" not in text
    assert "<code>" in text  # the request id to quote


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [
        ("conflict", 409, "This link is already on the roadmap."),
        ("stale", 412, "Changed since you loaded it."),
        ("limit", 429, "20 submissions a day at most."),
        ("invalid", 400, "The title must be 3 to 200 characters long."),
        ("not-found", 404, "No such resource."),
        ("not-allowed", 403, "You cannot vote on your own submission."),
    ],
)
def test_a_page_refusal_outside_a_form_is_a_styled_page(client, kind, status, words) -> None:
    response = client.get(f"/test-refuse/{kind}/")
    assert response.status_code == status and _is_site_page(response)
    assert words in response.content.decode()


@pytest.mark.django_db
def test_a_page_refusal_for_htmx_is_a_fragment_with_the_message(client) -> None:
    response = client.get("/test-refuse/limit/", HTTP_HX_REQUEST="true")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    text = response.content.decode()
    assert "20 submissions a day at most." in text and 'role="alert"' in text
    assert "<html" not in text


# -- the form adapter


class _ResourceForm(forms.Form):
    title = forms.CharField()
    url = forms.CharField()


def _bound() -> _ResourceForm:
    form = _ResourceForm(data={"title": "What I typed", "url": "https://a.example/"})
    assert form.is_valid()
    return form


def _refuse(error: Exception) -> None:
    raise error


def test_the_form_adapter_puts_field_messages_at_their_fields() -> None:
    form = _bound()
    answer = call_for_form(form, _refuse, Invalid({"title": ["Too short."], "other": ["Odd."]}))
    assert answer is None
    assert form.errors["title"] == ["Too short."]
    assert form.non_field_errors() == ["Odd."]
    assert form_status(form) == 400
    assert form.data["title"] == "What I typed"  # what the person typed stays


def test_the_form_adapter_takes_djangos_validation_error() -> None:
    form = _bound()
    call_for_form(form, _refuse, ValidationError({"url": ["Not a link."]}))
    assert form.errors["url"] == ["Not a link."] and form_status(form) == 400


def test_the_form_adapter_keeps_a_conflicts_state_and_status() -> None:
    form = _bound()
    call_for_form(form, _refuse, Conflict("Already there.", existing={"id": 3}))
    assert form.non_field_errors() == ["Already there."]
    refusal = refusal_of(form)
    assert refusal is not None and refusal.extra == {"existing": {"id": 3}}
    assert form_status(form) == 409


def test_the_form_adapter_passes_an_answer_through() -> None:
    form = _bound()
    assert call_for_form(form, lambda *, x: x * 2, x=21) == 42
    assert form_status(form) == 200 and refusal_of(form) is None


def test_a_fault_is_not_a_refusal() -> None:
    with pytest.raises(RuntimeError):
        call_for_form(_bound(), _refuse, RuntimeError("bug"))


# -- the errors and limits themselves, over arbitrary input

_texts = st.text(max_size=60)


@given(st.dictionaries(_texts, st.lists(_texts, min_size=1, max_size=3), min_size=1, max_size=4))
def test_invalid_keeps_every_message_by_field(messages) -> None:
    error = Invalid(messages)
    assert error.body() == messages
    first = next(iter(messages.values()))[0]
    # The summary is the first message; an empty one falls back to a readable default.
    assert error.status == 400 and error.message == (first or Invalid.default_message)


@given(_texts, st.integers(min_value=-(10**6), max_value=10**9))
def test_a_limit_always_asks_for_at_least_a_second(message, seconds) -> None:
    error = LimitReached(message, retry_after=seconds)
    assert error.retry_after >= 1 and error.body()["retry_after"] == error.retry_after


@given(st.text(max_size=260), st.integers(0, 10), st.integers(10, 250))
def test_a_length_agrees_with_len(value, low, high) -> None:
    length = limits.Length("The title", min=low, max=high)
    message = length.check(value)
    assert (message is None) == (low <= len(value) <= high)
    if message is not None:
        assert str(high) in message


@given(st.integers(-(10**9), 10**9))
def test_a_range_agrees_with_its_bounds(value) -> None:
    hours = limits.HOURS_PER_WEEK
    assert (hours.check(value) is None) == (hours.min <= value <= hours.max)


def test_limits_give_forms_and_serializers_the_same_numbers() -> None:
    title = limits.RESOURCE_TITLE
    assert title.serializer_kwargs() == {"min_length": 3, "max_length": 200}
    field = forms.CharField(**title.form_kwargs())
    with pytest.raises(ValidationError) as caught:
        field.clean("ab")
    assert caught.value.messages == [title.message()]
    hours = forms.IntegerField(**limits.HOURS_PER_WEEK.form_kwargs())
    with pytest.raises(ValidationError) as too_many:
        hours.clean("41")
    assert too_many.value.messages == ["Hours per week must be from 3 to 40."]


# -- the schema documents the house's refusals for every operation (roadmap_site/schema.py)


@pytest.fixture(scope="module")
def site_schema(django_db_blocker) -> dict:
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator(urlconf="roadmap_site.urls").get_schema(request=None, public=True)


def _operations(schema: dict):
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            yield route, method, operation


def test_every_operation_that_reads_credentials_documents_401(site_schema) -> None:
    checked = 0
    for route, method, operation in _operations(site_schema):
        if not any(operation.get("security", [])):
            continue  # no authenticator: credentials are never read, never refused
        checked += 1
        response = operation["responses"].get("401")
        assert response is not None, (method, route)
        ref = response["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/Error"), (method, route)
    assert checked > 30


def test_every_write_documents_400_and_403(site_schema) -> None:
    for route, method, operation in _operations(site_schema):
        if method in ("post", "put", "patch"):
            assert {"400", "403"} <= set(operation["responses"]), (method, route)


def test_every_path_with_an_object_or_a_page_documents_404(site_schema) -> None:
    for route, method, operation in _operations(site_schema):
        names = {p["name"] for p in operation.get("parameters", [])}
        if "{" in route or "page" in names:
            assert "404" in operation["responses"], (method, route)


def test_every_parameter_documents_400(site_schema) -> None:
    for route, method, operation in _operations(site_schema):
        if operation.get("parameters"):
            assert "400" in operation["responses"], (method, route)


@pytest.mark.parametrize(
    "path", ["/api/v1/resources/{id}/", "/api/v1/roadmaps/{slug}/topics/{topic}/"]
)
def test_the_shared_paths_say_anyone_reads_and_only_moderators_patch(site_schema, path) -> None:
    item = site_schema["paths"][path]
    assert {} in item["get"]["security"]
    assert {} not in item["patch"]["security"]
    assert "403" not in item["get"]["responses"]


def test_a_required_string_documents_that_it_may_not_be_blank(site_schema) -> None:
    body = site_schema["paths"]["/api/v1/auth/token/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = site_schema["components"]["schemas"][ref]["properties"]
    assert properties["username"]["minLength"] == 1
    assert properties["password"]["minLength"] == 1


def test_free_strings_document_that_they_hold_no_nul(site_schema) -> None:
    parameters = site_schema["paths"]["/api/v1/resources/"]["get"]["parameters"]
    by_name = {p["name"]: p for p in parameters}
    assert by_name["q"]["schema"]["pattern"] == r"^[^\x00]*$"
    # An optional query parameter may be sent empty: DRF reads `?topic=` as no topic.
    assert all(p.get("allowEmptyValue") for p in parameters if not p.get("required"))
