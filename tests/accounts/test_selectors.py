"""The typed helpers views use to reach the signed-in user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from apps.accounts import selectors
from roadmap_site.errors import NotAllowed
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signed_in_user_is_the_requests_user(owner) -> None:
    request = RequestFactory().get("/")
    request.user = owner
    assert selectors.signed_in_user(request) == owner


def test_an_anonymous_request_is_refused_with_403() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(NotAllowed) as refused:
        selectors.signed_in_user(request)
    assert refused.value.status == 403 and refused.value.code == "not_authenticated"


def test_user_by_credentials_needs_the_right_password_and_an_active_account(owner) -> None:
    request = RequestFactory().post("/")
    assert selectors.user_by_credentials(request, username="owner", password=PASSWORD) == owner
    assert selectors.user_by_credentials(request, username="owner", password="nope") is None
    owner.is_active = False
    owner.save()
    assert selectors.user_by_credentials(request, username="owner", password=PASSWORD) is None
