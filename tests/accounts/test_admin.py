"""The admin shows token metadata, never keys, and deleting a token there revokes it; it has
no sign-in of its own (the site's, rate-limited, with next=/admin/...), and only staff get in:
the moderator role does not make anyone staff."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as registry
from django.contrib.auth.models import Group
from knox.models import AuthToken

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import MODERATORS_GROUP
from tests.factories import PASSWORD, ResourceFactory, UserFactory

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


# The admin signs in through the site's own sign-in, and only staff get in.

SITE_LOGIN = "/accounts/login/"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def admin_sign_in(client, *, login: str, password: str):
    """Sign in the way the admin sends you to: follow /admin/ to its sign-in page and post to
    that page. Both field names are given, the admin's own form's and the site's, so the post
    means the same to whichever form the admin hands out."""
    page = client.get("/admin/", follow=True)
    url = page.redirect_chain[-1][0]
    return client.post(url, {"username": login, "login": login, "password": password})


def test_the_admin_login_page_sends_visitors_to_the_site_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/roadmap/resource/")
    assert response.status_code == 302
    assert response["Location"] == f"{SITE_LOGIN}?next=%2Fadmin%2Froadmap%2Fresource%2F"
    page = client.get("/admin/", follow=True)
    assert page.redirect_chain[-1][0].startswith(f"{SITE_LOGIN}?next=")
    assert page.status_code == 200


def test_posting_credentials_to_the_admin_login_signs_no_one_in(client, root):
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(SITE_LOGIN)
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_at_the_site_and_land_in_the_admin(client, root):
    response = admin_sign_in(client, login="root", password=PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_failed_admin_sign_ins_are_rate_limited_like_the_sites(
    client, root, settings, process_cache
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    for _ in range(3):
        admin_sign_in(client, login="root", password="guess")
    response = admin_sign_in(client, login="root", password=PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_member_who_is_not_staff_is_refused_not_asked_to_sign_in(client, outsider):
    client.force_login(outsider)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


def test_a_moderator_gets_no_admin_access(client, moderator):
    row = ResourceFactory()
    assert not moderator.is_staff
    client.force_login(moderator)
    for url in ("/admin/", "/admin/roadmap/resource/", f"/admin/roadmap/resource/{row.pk}/"):
        assert client.get(url, follow=True).status_code == 403, url
    # The moderation pages are where moderators work.
    assert client.get("/moderation/").status_code == 200


def test_the_migration_takes_back_the_staff_flag_the_moderator_role_gave(db):
    migration = import_module("apps.accounts.migrations.0004_moderators_are_not_staff")
    group = Group.objects.create(name=MODERATORS_GROUP)
    made_staff_by_the_role = UserFactory(is_staff=True)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    for user in (made_staff_by_the_role, superuser):
        user.groups.add(group)
    staff_without_the_role = UserFactory(is_staff=True)

    migration.moderators_are_not_staff(registry, None)

    staff = dict(User.objects.values_list("pk", "is_staff"))
    assert staff == {
        made_staff_by_the_role.pk: False,
        superuser.pk: True,
        staff_without_the_role.pk: True,
    }
