"""Account deletion: password again, sessions and tokens end at once, data goes, names stay kind."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from apps.accounts import selectors, services
from apps.accounts.deletion import register_deletion_hook, unregister_deletion_hook
from apps.accounts.models import ApiToken, PersonalVersion, User, UserSession
from apps.community import services as community
from apps.community.models import Vote
from apps.community.ranking import wilson_lower_bound
from apps.roadmap.models import Resource
from roadmap_site.errors import Invalid
from tests.factories import PASSWORD
from tests.factories import resource as approved_resource

pytestmark = pytest.mark.django_db

EXPORT_URL = "/api/v1/me/export/"


def signed_in_client(user: User) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_deleted_users_token_and_sessions_answer_401_at_once(api_client, owner, owner_key):
    browser = signed_in_client(owner)
    other_browser = signed_in_client(owner)
    assert browser.get(EXPORT_URL).status_code == 200
    user_id = owner.pk
    assert UserSession.objects.filter(user_id=user_id).count() == 2

    services.user_delete(user=owner, password=PASSWORD)

    assert api_client.get(EXPORT_URL, HTTP_AUTHORIZATION=f"Token {owner_key}").status_code == 401
    assert browser.get(EXPORT_URL).status_code == 401
    assert other_browser.get(EXPORT_URL).status_code == 401
    assert other_browser.get("/settings/").status_code == 302
    assert not UserSession.objects.filter(user_id=user_id).exists()
    assert not ApiToken.objects.filter(user_id=user_id).exists()


def test_deletion_leaves_other_users_sessions_and_tokens(owner, outsider, outsider_key):
    outsider_browser = signed_in_client(outsider)
    services.user_delete(user=owner, password=PASSWORD)
    assert outsider_browser.get(EXPORT_URL).status_code == 200
    assert UserSession.objects.filter(user_id=outsider.pk).count() == 1
    assert ApiToken.objects.filter(user=outsider).count() == 1


def test_wrong_password_deletes_nothing(owner, owner_key):
    with pytest.raises(Invalid) as wrong:
        services.user_delete(user=owner, password="not it")
    assert wrong.value.fields == {
        "password": ["The password is not right. Type the password you sign in with."]
    }
    assert User.objects.filter(pk=owner.pk).exists()
    assert ApiToken.objects.filter(user=owner).exists()


def test_personal_data_is_removed(owner, owner_key):
    user_id = owner.pk
    services.user_delete(user=owner, password=PASSWORD)
    assert not User.objects.filter(pk=user_id).exists()
    assert not ApiToken.objects.filter(user_id=user_id).exists()
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.filter(user_id=user_id).exists()


def test_a_learners_progress_and_personal_version_go(owner, roadmap):
    """Deleting the progress rows moves the personal version (the progress tables' triggers):
    the row goes after them."""
    from apps.progress.models import Enrollment
    from apps.progress.services import enrollment_put

    enrollment_put(user=owner, roadmap=roadmap)
    user_id = owner.pk
    assert PersonalVersion.objects.filter(user_id=user_id).exists()
    services.user_delete(user=owner, password=PASSWORD)
    assert not Enrollment.objects.filter(user_id=user_id).exists()
    assert not PersonalVersion.objects.filter(user_id=user_id).exists()


def test_approved_resources_stay_attributed_to_deleted_user(owner, roadmap):
    resource = Resource.objects.create(
        roadmap=roadmap,
        title="A good notebook",
        status=Resource.Status.APPROVED,
        submitted_by=owner,
    )
    assert selectors.public_name(resource.submitted_by) == "Owner Example"
    user_id = owner.pk
    assert Resource.history.filter(submitted_by_id=user_id).exists()
    services.user_delete(user=owner, password=PASSWORD)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.APPROVED
    assert resource.submitted_by is None
    assert selectors.public_name(resource.submitted_by) == "deleted user"
    # Nor does the resource's history keep the submitter's id.
    assert not Resource.history.filter(submitted_by_id=user_id).exists()


def test_public_name_template_filter(owner):
    from django.template import Context, Template

    template = Template("{% load accounts %}{{ someone|public_name }}")
    assert template.render(Context({"someone": owner})) == "Owner Example"
    assert template.render(Context({"someone": None})) == "deleted user"


def test_deletion_hooks_run_before_the_user_row_goes(owner):
    user_id = owner.pk
    seen = []

    def on_user_deleted(user):
        # What the moderation app will do: rewrite its public log while the user still exists.
        seen.append((user.pk, User.objects.filter(pk=user.pk).exists(), f"moderator {user.pk}"))

    register_deletion_hook("test.probe", on_user_deleted)
    try:
        services.user_delete(user=owner, password=PASSWORD)
    finally:
        unregister_deletion_hook("test.probe")
    assert seen == [(user_id, True, f"moderator {user_id}")]


def test_a_failing_hook_aborts_the_deletion(owner, owner_key):
    user_id = owner.pk

    def broken(user):
        raise RuntimeError("cannot anonymise")

    register_deletion_hook("test.broken", broken)
    try:
        with pytest.raises(RuntimeError):
            services.user_delete(user=owner, password=PASSWORD)
    finally:
        unregister_deletion_hook("test.broken")
    assert User.objects.filter(pk=user_id).exists()
    assert ApiToken.objects.filter(user_id=user_id).exists()


def test_delete_page_anonymous_is_sent_to_sign_in(client, owner):
    response = client.post("/settings/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert User.objects.filter(pk=owner.pk).exists()


def test_delete_page_wrong_password_shows_the_error(client, owner):
    client.force_login(owner)
    response = client.post("/settings/delete/", {"password": "nope"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Delete your account" in content
    assert '<a href="#id_password">The password is not right.' in content
    assert User.objects.filter(pk=owner.pk).exists()


def test_delete_page_empty_password_shows_the_error(client, owner):
    client.force_login(owner)
    content = client.post("/settings/delete/", {"password": ""}).content.decode()
    assert "Enter your password to delete your account." in content
    assert User.objects.filter(pk=owner.pk).exists()


def test_owner_deletes_their_account_from_the_page(owner, outsider):
    user_id = owner.pk
    browser = signed_in_client(owner)
    response = browser.post("/settings/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=user_id).exists()
    assert User.objects.filter(pk=outsider.pk).exists()
    home = browser.get("/")
    assert isinstance(home.wsgi_request.user, AnonymousUser)
    assert "Your account and your personal data are deleted." in home.content.decode()


def test_deleting_a_voter_recounts_the_votes_left(postgres_only, owner, outsider, roadmap):
    """Two voters, one deleted: the resource's counters and score are the remaining vote's."""

    up_and_down = approved_resource(roadmap, None, title="Voted on")
    only_up = approved_resource(roadmap, None, title="Voted up")
    community.vote_cast(user=owner, resource=up_and_down, value=1)
    community.vote_cast(user=outsider, resource=up_and_down, value=-1)
    community.vote_cast(user=owner, resource=only_up, value=1)

    services.user_delete(user=owner, password=PASSWORD)

    up_and_down.refresh_from_db()
    only_up.refresh_from_db()
    assert (up_and_down.upvotes, up_and_down.downvotes) == (0, 1)
    assert up_and_down.score == pytest.approx(wilson_lower_bound(0, 1))
    assert (only_up.upvotes, only_up.downvotes, only_up.score) == (0, 0, 0.0)
    assert list(Vote.objects.values_list("user_id", "value")) == [(outsider.pk, -1)]


def test_a_failing_hook_after_the_recount_keeps_the_votes_and_counters(owner, outsider, roadmap):
    """The recount is in the deletion's transaction: an abort leaves votes and counters."""

    voted = approved_resource(roadmap, None, title="Voted on")
    community.vote_cast(user=owner, resource=voted, value=1)
    community.vote_cast(user=outsider, resource=voted, value=1)

    def fail(user) -> None:
        raise RuntimeError("a hook failed")

    register_deletion_hook("test.fails_last", fail)
    try:
        with pytest.raises(RuntimeError):
            services.user_delete(user=owner, password=PASSWORD)
    finally:
        unregister_deletion_hook("test.fails_last")
    voted.refresh_from_db()
    assert (voted.upvotes, voted.downvotes) == (2, 0)
    assert Vote.objects.filter(resource=voted).count() == 2
