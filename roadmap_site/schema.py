"""The OpenAPI schema's house rules, for every operation at once (REST_FRAMEWORK's
DEFAULT_SCHEMA_CLASS), so that no view has to repeat what the whole API does:

- the refusals any operation can meet are documented, in the error bodies of `api_errors`:
  401 where credentials are read (a malformed or expired token is refused before anything
  else), 403 for writes (CSRF for session writes) and reads a permission beyond "signed in" guards,
  400 where the caller sends parameters or a body (a NUL byte is refused everywhere), 404
  where a path names an object or a list has pages, 429 where the view throttles;
- an operation that anonymous callers may use says so (`{}` among its security
  requirements), judged by asking the view's own permission classes;
- an optional query parameter may be sent empty: DRF reads `?topic=` as no topic;
- a free string parameter holds no NUL character: the site refuses NUL in paths and queries
  (`error_views`), and PostgreSQL could not store it anyway;
- every operation is grouped under its app's tag (`APP_TAGS`, described in
  SPECTACULAR_SETTINGS["TAGS"]): the app is the one whose code answers the method, so the
  public GET of /resources/{id}/ (the roadmap's view, inherited by moderation's) is
  "roadmap" while its PATCH is "moderation".

A view's own declaration of a status always wins; these only fill the gaps.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import (
    SAFE_METHODS,
    AllowAny,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.request import Request

from roadmap_site.api_errors import DENIED, INVALID, LIMITED, NOT_FOUND

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
NO_NUL = r"^[^\x00]*$"
_SHAPED = ("pattern", "format", "enum")


def _no_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not any(key in schema for key in _SHAPED):
        schema["pattern"] = NO_NUL


# The view's app (apps.<app>) -> its tag in the docs. SPECTACULAR_SETTINGS["TAGS"] describes
# each one; tests/test_api_pages.py checks that every operation gets one of them.
APP_TAGS = {
    "roadmap": "roadmap",
    "progress": "progress",
    "community": "community",
    "moderation": "moderation",
    "linkcheck": "link health",
    "accounts": "account",
    "solutions": "solutions",
    "showcase": "showcase",
    "search": "search",
}


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "apps" else None


class HouseAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        """The tag of the app whose class defines the handler of this method (an inherited
        GET keeps its app's tag), else of the view's own class."""
        handler = self.method.lower()
        for cls in type(self.view).__mro__:
            if handler in vars(cls) and (app := _app_of(cls.__module__)) in APP_TAGS:
                return [APP_TAGS[app]]
        app = _app_of(type(self.view).__module__)
        if app in APP_TAGS:
            return [APP_TAGS[app]]
        return super().get_tags()

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            _no_nul(parameter.get("schema", {}))
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for status, response in self._refusals(bool(parameters)).items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(response, str(status))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def get_auth(self) -> list[dict[str, Any]]:
        requirements = super().get_auth()
        if {} not in requirements and self._anonymous_allowed():
            requirements.append({})
        return requirements

    def _refusals(self, has_parameters: bool) -> dict[int, OpenApiResponse]:
        refusals: dict[int, OpenApiResponse] = {}
        if has_parameters or self.method in BODY_METHODS:
            refusals.update(INVALID)
        if self.view.get_authenticators():
            refusals[401] = DENIED[401]
        if self.method not in SAFE_METHODS or self._may_refuse_the_signed_in():
            refusals[403] = DENIED[403]
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):
            refusals.update(NOT_FOUND)
        if self.view.get_throttles():
            refusals.update(LIMITED)
        return refusals

    def _may_refuse_the_signed_in(self) -> bool:
        """Whether a permission asks more than "signed in" (a role, an owner) of a reader; one
        that lets anonymous callers through lets everyone through."""
        plain = (AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly)
        if self._anonymous_allowed():
            return False
        return not all(isinstance(p, plain) for p in self.view.get_permissions())

    def _anonymous_allowed(self) -> bool:
        """Whether every permission class of the view lets an anonymous caller through."""
        # What a permission reads of a request: the method and the (anonymous) user.
        request = cast(
            Request, SimpleNamespace(method=self.method, user=AnonymousUser(), auth=None)
        )
        try:
            return all(p.has_permission(request, self.view) for p in self.view.get_permissions())
        except Exception:  # a permission that needs more than a user and a method: not anonymous
            return False
