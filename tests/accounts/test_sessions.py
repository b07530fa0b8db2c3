"""The session store keeps each session's user id, so one account's sessions can be found."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.core.management import call_command

from apps.accounts import services
from apps.accounts.models import UserSession
from apps.accounts.sessions import SessionStore
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_records_the_user_on_the_session(client, owner):
    client.post("/accounts/login/", {"login": "owner", "password": PASSWORD})
    session = UserSession.objects.get(session_key=client.cookies["sessionid"].value)
    assert session.user_id == owner.pk
    assert session.get_decoded()["_auth_user_id"] == str(owner.pk)


def test_anonymous_sessions_have_no_user(db):
    store = SessionStore()
    store["cart"] = "anything"
    store.create()
    assert UserSession.objects.get(session_key=store.session_key).user_id is None


def test_a_malformed_user_id_is_stored_as_none(db):
    store = SessionStore()
    store["_auth_user_id"] = "not-a-number"
    store.create()
    assert UserSession.objects.get(session_key=store.session_key).user_id is None


def test_sessions_end_for_one_user_only(client, owner, outsider):
    owner_store, outsider_store = SessionStore(), SessionStore()
    owner_store["_auth_user_id"] = str(owner.pk)
    outsider_store["_auth_user_id"] = str(outsider.pk)
    owner_store.create()
    outsider_store.create()
    assert services.user_sessions_end(user_id=owner.pk) == 1
    assert not SessionStore().exists(owner_store.session_key)
    assert SessionStore().exists(outsider_store.session_key)


def test_the_store_is_a_django_session_store_and_clearsessions_works(db):
    assert issubclass(SessionStore, SessionBase)
    store = SessionStore()
    store.set_expiry(-1)
    store.create()
    call_command("clearsessions")
    assert not UserSession.objects.filter(session_key=store.session_key).exists()
