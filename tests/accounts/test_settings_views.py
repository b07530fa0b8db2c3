"""The settings pages: anonymous, outsider and owner for each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts import services
from apps.accounts.models import ApiToken, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/settings/",
    "/settings/email/",
    "/settings/tokens/",
    "/settings/data/",
    "/settings/delete/",
]


@pytest.mark.parametrize("url", [*PAGES, "/settings/data/export.json"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_owner_sees_each_page_with_the_settings_nav(client, owner, url):
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert 'aria-label="Settings"' in response.content.decode()


def test_anonymous_post_changes_nothing(client, owner):
    token, _ = services.api_token_create(user=owner, name="kept")
    for url, data in [
        ("/settings/", {"display_name": "Hacker", "time_zone": "UTC"}),
        ("/settings/email/", {"email_weekly_digest": "on"}),
        (f"/settings/tokens/{token.id}/revoke/", {}),
        ("/settings/delete/", {"password": "x"}),
    ]:
        assert client.post(url, data).status_code == 302
    owner.refresh_from_db()
    assert owner.display_name == "Owner Example"
    assert not owner.email_weekly_digest
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert User.objects.filter(pk=owner.pk).exists()


def test_profile_update(client, owner):
    client.force_login(owner)
    response = client.post("/settings/", {"display_name": " Ada ", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.display_name, owner.time_zone) == ("Ada", "Asia/Tokyo")
    assert "Your profile is saved." in client.get("/settings/").content.decode()


def test_profile_bad_time_zone_shows_errors_and_writes_nothing(client, owner):
    client.force_login(owner)
    response = client.post("/settings/", {"display_name": "Ada", "time_zone": "Mars/Olympus"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Profile settings" in content
    # The summary links to the field, and the error is repeated at the field.
    assert '<a href="#id_time_zone">Choose a time zone from the list' in content
    assert 'id="id_time_zone-error"' in content
    assert 'aria-describedby="id_time_zone-hint id_time_zone-error"' in content
    owner.refresh_from_db()
    assert (owner.display_name, owner.time_zone) == ("Owner Example", "UTC")


def test_profile_page_labels_every_field(client, owner):
    client.force_login(owner)
    content = client.get("/settings/").content.decode()
    assert '<label class="label" for="id_display_name">Display name</label>' in content
    assert '<label class="label" for="id_time_zone">Time zone</label>' in content
    assert "Error:" not in content


def test_email_preferences_update(client, owner):
    client.force_login(owner)
    response = client.post("/settings/email/", {"email_weekly_digest": "on"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.email_weekly_digest
    assert not owner.email_submission_decisions


def test_token_created_on_the_page_is_shown_once(client, owner):
    client.force_login(owner)
    response = client.post("/settings/tokens/", {"name": "CI"})
    assert response.status_code == 200
    key = response.context["new_key"]
    content = response.content.decode()
    assert f'value="{key}"' in content
    assert "shown only once" in content
    assert response["Cache-Control"].startswith("max-age=0")
    again = client.get("/settings/tokens/").content.decode()
    assert key not in again
    assert "CI" in again
    # The key shown works against the API.
    assert client.get("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_token_without_a_name_shows_the_error(client, owner):
    client.force_login(owner)
    response = client.post("/settings/tokens/", {"name": ""})
    assert response.status_code == 400
    content = response.content.decode()
    assert "<title>Error: API tokens" in content
    assert '<a href="#id_name">Enter a name for the token.</a>' in content
    assert not ApiToken.objects.exists()


def test_unverified_user_cannot_create_a_token_on_the_page(client, db):
    user = UserFactory(username="fresh", verified=False)
    client.force_login(user)
    assert "Confirm your email address" in client.get("/settings/tokens/").content.decode()
    response = client.post("/settings/tokens/", {"name": "CI"})
    assert response.status_code == 403
    assert "Verify your email address before creating API tokens" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_list_shows_last_use_and_expiry(client, owner, owner_key):
    client.get("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {owner_key}")
    client.force_login(owner)
    content = client.get("/settings/tokens/").content.decode()
    token = ApiToken.objects.get()
    assert "owner script" in content
    assert f'datetime="{token.last_used_at.isoformat()}"' in content
    assert f'datetime="{token.expires_at.isoformat()}"' in content
    assert owner_key not in content


def test_token_list_shows_only_the_owners_tokens(client, owner, owner_key, outsider_key):
    client.force_login(owner)
    content = client.get("/settings/tokens/").content.decode()
    assert "owner script" in content
    assert "outsider script" not in content


def test_token_list_query_count_does_not_grow(client, owner, django_assert_num_queries):
    client.force_login(owner)
    services.api_token_create(user=owner, name="first")
    client.get("/settings/tokens/")
    # the session with its user, verified-email check, the header's "My plan" (the latest
    # enrolment), the tokens with their knox rows in one join
    with django_assert_num_queries(4) as one:
        client.get("/settings/tokens/")
    for number in range(5):
        services.api_token_create(user=owner, name=f"more {number}")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/settings/tokens/")
    assert response.content.decode().count("Revoke<span") == 6


def test_owner_revokes_a_token(client, owner, owner_key):
    client.force_login(owner)
    token = ApiToken.objects.get()
    response = client.post(f"/settings/tokens/{token.id}/revoke/")
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert (
        client.get("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {owner_key}").status_code == 401
    )


def test_outsider_cannot_revoke_the_owners_token(client, outsider, owner_key):
    client.force_login(outsider)
    token = ApiToken.objects.get()
    response = client.post(reverse("accounts:token_revoke", args=[token.id]))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoke_needs_post(client, owner, owner_key):
    client.force_login(owner)
    token = ApiToken.objects.get()
    assert client.get(f"/settings/tokens/{token.id}/revoke/").status_code == 405
    assert ApiToken.objects.exists()


def test_token_limit_on_the_page_answers_409_and_writes_nothing(client, owner, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 1
    client.force_login(owner)
    assert client.post("/settings/tokens/", {"name": "first"}).status_code == 200
    response = client.post("/settings/tokens/", {"name": "second"})
    assert response.status_code == 409
    assert "You already have 1 API tokens, the most allowed." in response.content.decode()
    assert 'value="second"' in response.content.decode()  # what was typed is kept
    assert ApiToken.objects.filter(user=owner).count() == 1
