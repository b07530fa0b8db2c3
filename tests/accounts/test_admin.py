"""The admin shows token metadata, never keys, and deleting a token there revokes it."""

from __future__ import annotations

import pytest
from knox.models import AuthToken

from apps.accounts.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def test_token_list_shows_no_key(admin_client_, owner_key):
    content = admin_client_.get("/admin/accounts/apitoken/").content.decode()
    assert "owner script" in content
    assert owner_key not in content


def test_deleting_in_the_admin_revokes_the_token(admin_client_, api_client, owner_key):
    token = ApiToken.objects.get()
    response = admin_client_.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.exists()
    assert (
        api_client.get("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {owner_key}").status_code
        == 401
    )


def test_bulk_delete_in_the_admin_revokes_the_tokens(admin_client_, owner_key, outsider_key):
    ids = list(ApiToken.objects.values_list("pk", flat=True))
    admin_client_.post(
        "/admin/accounts/apitoken/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert not AuthToken.objects.exists()


def test_outsider_without_staff_cannot_see_tokens(client, outsider, owner_key):
    client.force_login(outsider)
    response = client.get("/admin/accounts/apitoken/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
