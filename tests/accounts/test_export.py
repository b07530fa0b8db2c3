"""GET /api/v1/me/export/, the settings-page download, and the export registry."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts import services
from apps.accounts.export import (
    export_sections,
    register_export_section,
    unregister_export_section,
)
from apps.accounts.selectors import EXPORT_FORMAT, account_export

EXPORT_URL = "/api/v1/me/export/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe_section():
    def probe(user):
        return {"seen_user": user.username}

    register_export_section("probe", probe)
    yield probe
    unregister_export_section("probe")


def test_anonymous_answers_401(api_client, owner):
    response = api_client.get(EXPORT_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_owner_gets_their_account(api_client, owner, owner_key):
    owner.time_zone = "Europe/Berlin"
    owner.save()
    response = api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    body = response.json()
    assert body["format"] == EXPORT_FORMAT
    account = body["account"]
    assert account["username"] == "owner"
    assert account["time_zone"] == "Europe/Berlin"
    assert account["email_addresses"] == [
        {"email": "owner@mail.example", "verified": True, "primary": True}
    ]
    assert account["email_preferences"] == {
        "submission_decisions": True,
        "weekly_digest": False,
        "drift_nudge": False,
    }
    [token] = account["api_tokens"]
    assert token["name"] == "owner script"
    assert set(token) == {"name", "created_at", "expires_at", "last_used_at"}
    assert owner_key not in response.content.decode()


def test_session_owner_gets_the_same_export(api_client, owner):
    api_client.force_login(owner)
    response = api_client.get(EXPORT_URL)
    assert response.status_code == 200
    assert response.json()["account"]["username"] == "owner"


def test_export_holds_no_other_users_data(api_client, owner, outsider, owner_key, outsider_key):
    services.api_token_create(user=outsider, name="outsider-secret-project")
    services.user_profile_update(user=outsider, display_name="Zed Outsider", time_zone="UTC")
    response = api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}")
    text = response.content.decode()
    for foreign in ["outsider", "Zed Outsider", "outsider-secret-project", outsider_key]:
        assert foreign not in text
    # And the outsider's own export is theirs alone.
    other = api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {outsider_key}").json()
    assert other["account"]["username"] == "outsider"
    assert "owner" not in json.dumps(other)


def test_registered_sections_join_the_export(api_client, owner, owner_key, probe_section):
    body = api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}").json()
    assert body["probe"] == {"seen_user": "owner"}
    assert list(body) == ["format", "exported_at", *export_sections()]


def test_registry_refuses_a_second_section_with_the_same_name(probe_section):
    register_export_section("probe", probe_section)  # the same function again is harmless
    with pytest.raises(ImproperlyConfigured):
        register_export_section("probe", lambda user: None)
    with pytest.raises(ImproperlyConfigured):
        register_export_section("format", lambda user: None)


def test_export_query_count_does_not_grow_with_tokens(api_client, owner, owner_key):
    # Other apps add their own sections (and queries); what must hold is that the count does
    # not grow with the number of rows.
    api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}")
    with CaptureQueriesContext(connection) as first:
        api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}")
    for number in range(5):
        services.api_token_create(user=owner, name=f"token {number}")
    with CaptureQueriesContext(connection) as second:
        body = api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}").json()
    assert len(second.captured_queries) == len(first.captured_queries)
    assert len(body["account"]["api_tokens"]) == 6


def test_account_section_takes_three_queries(owner, django_assert_num_queries):
    for number in range(3):
        services.api_token_create(user=owner, name=f"token {number}")
    # email addresses, social accounts, tokens joined to their knox rows
    with django_assert_num_queries(3):
        section = account_export(owner)
    assert len(section["api_tokens"]) == 3


def test_settings_page_download(client, owner):
    client.force_login(owner)
    response = client.get("/settings/data/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-roadmap-data.json"'
    assert json.loads(response.content)["account"]["username"] == "owner"


def test_settings_page_download_is_the_signed_in_users_own(client, owner, outsider):
    client.force_login(outsider)
    body = json.loads(client.get("/settings/data/export.json").content)
    assert body["account"]["username"] == "outsider"
    assert "owner@mail.example" not in json.dumps(body)


def test_data_page_offers_the_download_and_deletion(client, owner):
    client.force_login(owner)
    content = client.get("/settings/data/").content.decode()
    assert 'action="/settings/data/export.json"' in content
    assert 'href="/settings/delete/"' in content
