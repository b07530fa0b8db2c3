"""Test clients signed in as someone (or no one)."""

from __future__ import annotations

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
