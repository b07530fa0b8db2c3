"""Test clients signed in as someone (or no one)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from rest_framework.test import APIClient


def client_for(user: Any | None) -> APIClient:
    """An API client with the user's session, or an anonymous one for None."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def page_client_for(user: Any | None) -> Client:
    """A browser-like client (HTML pages) with the user's session, or anonymous for None."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# A form's CSRF token in a page, and the page with every one blanked: two renderings of the same
# page differ in them alone (each is masked anew).
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def without_tokens(body: str) -> str:
    return CSRF_TOKEN.sub('name="csrfmiddlewaretoken" value=""', body)


def around_a_write(client: Client, path: str, write: Any, user: Any, *args: Any) -> tuple[str, str]:
    """The page (tokens masked) as kept before `write(user, *args)`, and on the request after
    it (the user read again: the page reads their row)."""
    client.get(path)
    before = without_tokens(client.get(path).content.decode())
    write(user, *args)
    user.refresh_from_db()
    after = without_tokens(client.get(path).content.decode())
    return before, after


def whole_page(settings: Any, user: Any, path: str, *, without: str) -> str:
    """The page as the view renders it whole, for `user`, with the middleware `without` taken
    out of the stack (a layer that keeps pages), tokens masked; no layer's marker left in it."""
    kept = settings.MIDDLEWARE
    settings.MIDDLEWARE = [m for m in kept if m != without]
    try:
        response = page_client_for(user).get(path)
    finally:
        settings.MIDDLEWARE = kept
    assert response.status_code == 200
    body = without_tokens(response.content.decode())
    assert "\u27ea" not in body
    return body
