"""POST/DELETE /api/v1/auth/token/ and token authentication."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from apps.accounts import services
from apps.accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
EXPORT_URL = "/api/v1/me/export/"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def create(api_client, username="owner", password=PASSWORD, name="laptop"):
    return api_client.post(
        TOKEN_URL, {"username": username, "password": password, "name": name}, format="json"
    )


def test_create_by_username_answers_key_and_expiry_in_90_days(api_client, owner):
    with time_machine.travel(NOW, tick=False):
        response = create(api_client)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert dt.datetime.fromisoformat(body["expires_at"]) == NOW + dt.timedelta(days=90)
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=owner)
    assert token.name == "laptop"
    # Stored hashed: neither the key nor anything containing it is in the database.
    stored = AuthToken.objects.get(user=owner)
    assert body["token"] not in {stored.digest, stored.token_key}
    assert len(stored.token_key) < len(body["token"])


def test_create_by_email(api_client, owner):
    response = create(api_client, username="OWNER@mail.example")
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=owner).count() == 1


def test_expiry_follows_the_setting(api_client, owner, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    with time_machine.travel(NOW, tick=False):
        response = create(api_client)
    assert dt.datetime.fromisoformat(response.json()["expires_at"]) == NOW + dt.timedelta(days=7)


def test_wrong_password_answers_401_and_writes_nothing(api_client, owner):
    response = create(api_client, password="not the password")
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")
    assert "not right" in response.json()["detail"]
    assert not AuthToken.objects.exists()


def test_unknown_user_answers_401(api_client, db):
    response = create(api_client, username="nobody")
    assert response.status_code == 401
    assert not AuthToken.objects.exists()


def test_missing_fields_answer_400_per_field(api_client, owner):
    response = api_client.post(TOKEN_URL, {"username": "owner"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"password", "name"}
    assert not AuthToken.objects.exists()


def test_unverified_account_is_refused_with_403(api_client, db):
    UserFactory(username="fresh", verified=False)
    response = create(api_client, username="fresh")
    assert response.status_code == 403
    assert "Verify your email address" in response.json()["detail"]
    assert response.json()["code"] == "email_not_verified"
    assert not AuthToken.objects.exists()


def test_inactive_account_is_refused(api_client, owner):
    owner.is_active = False
    owner.save()
    assert create(api_client).status_code == 401
    assert not AuthToken.objects.exists()


def test_too_many_attempts_for_one_login_answer_429_with_retry_after(
    api_client, owner, settings, process_cache
):
    settings.API_TOKEN_RATE_LIMITS = {"ip": "100/3600", "login": "3/3600"}
    statuses = [create(api_client, password="guess").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    # Past the limit even the right password is refused, so guessing cannot continue.
    response = create(api_client)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not AuthToken.objects.exists()
    # Another login from the same address is still counted separately.
    UserFactory(username="second")
    assert create(api_client, username="second").status_code == 201


def test_too_many_attempts_from_one_address_answer_429(api_client, owner, settings, process_cache):
    settings.API_TOKEN_RATE_LIMITS = {"ip": "2/60", "login": "100/60"}
    assert create(api_client, name="one").status_code == 201
    assert create(api_client, name="two").status_code == 201
    response = create(api_client, name="three")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert ApiToken.objects.filter(user=owner).count() == 2


def test_rate_limit_window_ends(api_client, owner, settings, process_cache):
    settings.API_TOKEN_RATE_LIMITS = {"ip": "1/60", "login": "100/60"}
    with time_machine.travel(NOW, tick=False) as clock:
        assert create(api_client, name="one").status_code == 201
        assert create(api_client, name="two").status_code == 429
        clock.shift(dt.timedelta(seconds=61))
        assert create(api_client, name="three").status_code == 201


def test_token_limit_per_user_answers_409(api_client, owner, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 2
    assert create(api_client, name="a").status_code == 201
    assert create(api_client, name="b").status_code == 201
    response = create(api_client, name="c")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "You already have 2 API tokens, the most allowed. Revoke one you no longer "
        "use first.",
        "code": "token_limit",
    }
    assert ApiToken.objects.filter(user=owner).count() == 2
    assert AuthToken.objects.filter(user=owner).count() == 2


def test_a_blank_or_long_token_name_answers_400_and_writes_nothing(api_client, owner):
    blank = create(api_client, name="   ")
    assert blank.status_code == 400 and set(blank.json()) == {"name"}
    long = create(api_client, name="x" * 101)
    assert long.status_code == 400
    assert long.json() == {"name": ["The token's name must be 1 to 100 characters long."]}
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize("prefix", ["Token", "Bearer", "bearer", "TOKEN"])
def test_both_prefixes_are_accepted(api_client, owner, owner_key, prefix):
    response = api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"{prefix} {owner_key}")
    assert response.status_code == 200
    assert response.json()["account"]["username"] == "owner"


@pytest.mark.parametrize(
    "header",
    ["Token", "Bearer", "Token not-a-real-key", "Bearer a b"],
)
def test_bad_token_headers_answer_401(api_client, owner_key, header):
    response = api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_expired_token_is_refused_and_removed(api_client, owner):
    with time_machine.travel(NOW, tick=False):
        _, key = services.api_token_create(user=owner, name="short")
    with time_machine.travel(NOW + dt.timedelta(days=89), tick=False):
        assert api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(days=90, seconds=1), tick=False):
        assert api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert not ApiToken.objects.filter(user=owner).exists()


def test_last_use_is_recorded_at_most_once_a_minute(api_client, owner):
    with time_machine.travel(NOW, tick=False) as clock:
        token, key = services.api_token_create(user=owner, name="busy")
        assert token.last_used_at is None
        api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {key}")
        token.refresh_from_db()
        assert token.last_used_at == NOW
        clock.shift(dt.timedelta(seconds=30))
        api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {key}")
        token.refresh_from_db()
        assert token.last_used_at == NOW
        clock.shift(dt.timedelta(seconds=31))
        api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {key}")
        token.refresh_from_db()
        assert token.last_used_at == NOW + dt.timedelta(seconds=61)


def test_repeated_use_within_the_minute_does_not_write(api_client, owner, owner_key):
    with CaptureQueriesContext(connection) as first:
        api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}")
    with CaptureQueriesContext(connection) as second:
        api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}")
    updates = [q["sql"] for q in first.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert not [q for q in second.captured_queries if q["sql"].startswith("UPDATE")]


def test_delete_revokes_only_the_token_used(api_client, owner, owner_key):
    _, other_key = services.api_token_create(user=owner, name="other device")
    response = api_client.delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    assert response.status_code == 204
    assert api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}").status_code == 401
    assert api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {other_key}").status_code == 200
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["other device"]


def test_delete_anonymous_answers_401(api_client, owner_key):
    response = api_client.delete(TOKEN_URL)
    assert response.status_code == 401
    assert AuthToken.objects.count() == 1


def test_delete_with_a_session_only_answers_401(api_client, owner, owner_key):
    api_client.force_login(owner)
    assert api_client.delete(TOKEN_URL).status_code == 401
    assert AuthToken.objects.count() == 1


def test_outsider_delete_leaves_the_owners_token(api_client, owner_key, outsider_key):
    response = api_client.delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {outsider_key}")
    assert response.status_code == 204
    assert api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}").status_code == 200
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["owner"]


def test_token_list_hides_expired_tokens(owner):
    from apps.accounts import selectors

    with time_machine.travel(timezone.now() - dt.timedelta(days=100), tick=False):
        services.api_token_create(user=owner, name="old")
    services.api_token_create(user=owner, name="new")
    assert [token.name for token in selectors.api_token_list(user=owner)] == ["new"]
