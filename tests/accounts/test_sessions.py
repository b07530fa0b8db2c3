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


# -- the user read with the session (apps.accounts.sessions.get_user)


def _requests_for(*session_keys: str | None):
    from django.test import RequestFactory

    made = []
    for session_key in session_keys:
        request = RequestFactory().get("/")
        request.session = SessionStore(session_key)
        made.append(request)
    return made


def _both(session_key: str | None, django_key: str | None = None):
    """What our `get_user` and Django's `auth.get_user` make of the same session (or of two
    alike, where reading one changes it), each on its own request, and the two stores after."""
    from django.contrib import auth

    from apps.accounts.sessions import get_user

    ours, django = _requests_for(session_key, django_key or session_key)
    return get_user(ours), auth.get_user(django), ours.session, django.session


def _signed_in_key(client, user) -> str:
    client.force_login(user)
    return client.cookies["sessionid"].value


def _same(ours, django) -> None:
    assert ours.is_authenticated == django.is_authenticated
    if django.is_authenticated:
        assert ours.pk == django.pk
        fields = [f.attname for f in type(django)._meta.concrete_fields]
        assert {f: getattr(ours, f) for f in fields} == {f: getattr(django, f) for f in fields}


def test_the_session_and_its_user_are_one_query_and_the_user_is_the_orms(
    client, owner, django_assert_num_queries
):
    from django.utils import timezone

    owner.last_login = timezone.now()
    owner.display_name = "Owner Ö"
    owner.save()
    key = _signed_in_key(client, owner)
    from apps.accounts.sessions import get_user

    request = _requests_for(key)[0]
    with django_assert_num_queries(1):
        user = get_user(request)
        assert user.is_authenticated
    ours, django, _, _ = _both(key)
    _same(ours, django)
    assert ours.last_login == django.last_login and ours.last_login.tzinfo is not None


def test_a_changed_password_signs_the_session_out_as_django_does(client, owner):
    key = _signed_in_key(client, owner)
    owner.set_password("another long passphrase 2025")
    owner.save()
    ours, django, our_session, django_session = _both(key)
    _same(ours, django)
    assert not ours.is_authenticated
    assert our_session.is_empty() and django_session.is_empty()  # both flushed


def test_an_inactive_user_is_anonymous_as_with_django(client, owner):
    key = _signed_in_key(client, owner)
    owner.is_active = False
    owner.save()
    ours, django, _, _ = _both(key)
    _same(ours, django)
    assert not ours.is_authenticated


def test_a_session_whose_user_is_gone_is_anonymous(db):
    # The session row may outlive its user for a moment (the id is a plain column).
    store = SessionStore()
    store.update(
        {
            "_auth_user_id": "987654",
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": "x",
        }
    )
    store.create()
    assert UserSession.objects.get(session_key=store.session_key).user_id == 987654
    ours, django, _, _ = _both(store.session_key)
    _same(ours, django)
    assert not ours.is_authenticated


def test_a_backend_no_longer_listed_signs_out_as_with_django(client, owner, settings):
    key = _signed_in_key(client, owner)
    settings.AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
    session = SessionStore(key)
    assert session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    ours, django, _, _ = _both(key)
    _same(ours, django)
    assert not ours.is_authenticated


def test_an_expired_or_unknown_session_is_anonymous(client, owner):
    from datetime import timedelta

    from django.utils import timezone

    key = _signed_in_key(client, owner)
    UserSession.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    for session_key in (key, "x" * 32, None):
        ours, django, our_session, _ = _both(session_key)
        _same(ours, django)
        assert not ours.is_authenticated
        assert our_session.session_key is None  # forgotten, as Django's store does


def test_a_hash_made_with_a_fallback_secret_is_renewed_as_with_django(client, owner, settings):
    from django.test import Client

    old_secret = settings.SECRET_KEY
    key, other = _signed_in_key(client, owner), _signed_in_key(Client(), owner)
    settings.SECRET_KEY = "a new secret key that is long enough to be taken seriously 0123"
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    ours, django, our_session, django_session = _both(key, other)
    _same(ours, django)
    assert ours.is_authenticated
    assert our_session.session_key != key and django_session.session_key != other  # cycled
    assert our_session["_auth_user_hash"] == owner.get_session_auth_hash()


def test_signing_in_and_out_through_the_pages_still_works(client, owner):
    from tests.factories import PASSWORD as password

    assert client.get("/settings/").status_code == 302  # anonymous: to the sign-in page
    client.post("/accounts/login/", {"login": "owner", "password": password})
    assert client.get("/settings/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/settings/").status_code == 302
