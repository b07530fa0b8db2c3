"""allauth in the site's look: sign up, verification, sign in, sign out, passwords, limits."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from apps.accounts.models import User, UserSession
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a whole new passphrase 77"


def link_in(message, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+(?P<path>{pattern}\S*)", message.body)
    assert match, message.body
    return match.group("path")


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_sign_up_sends_a_verification_email_and_login_waits_for_it(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@mail.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="newcomer")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@mail.example"]
    assert mail.outbox[0].subject.startswith("[ML Engineer Roadmap]")

    # Mandatory verification: signing in before confirming only sends the link again.
    client.logout()
    response = sign_in(client, "newcomer")
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    confirm = link_in(mail.outbox[0], "/accounts/confirm-email/")
    assert client.get(confirm).status_code == 200
    client.post(confirm)
    assert EmailAddress.objects.get(user=user).verified
    response = sign_in(client, "newcomer")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_applies_the_password_validators(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "weak",
            "email": "weak@mail.example",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error: Create an account" in content
    assert "This password is too common." in content
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize("login", ["owner", "owner@mail.example", "Owner@Mail.Example"])
def test_sign_in_by_username_or_email(client, owner, login):
    response = sign_in(client, login)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_wrong_password_shows_the_error_summary(client, owner):
    response = sign_in(client, "owner", "wrong")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in content
    assert 'class="error-summary"' in content
    assert 'href="#id_login"' in content
    assert "_auth_user_id" not in client.session


def test_session_key_is_rotated_at_sign_in(client, owner):
    session = client.session
    session["probe"] = "before sign-in"
    session.save()
    before = session.session_key
    assert client.cookies["sessionid"].value == before

    sign_in(client, "owner")
    after = client.cookies["sessionid"].value
    assert after != before
    assert not UserSession.objects.filter(session_key=before).exists()
    assert UserSession.objects.get(session_key=after).user_id == owner.pk


def test_sign_out_is_a_post(client, owner):
    client.force_login(owner)
    page = client.get("/")
    assert 'action="/accounts/logout/"' in page.content.decode()
    # A GET only asks; it never signs out (a link or image cannot end a session).
    assert client.get("/accounts/logout/").status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not UserSession.objects.filter(user_id=owner.pk).exists()


def test_header_links_for_anonymous_visitors(client, db):
    content = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in content
    assert 'href="/accounts/signup/"' in content
    assert 'href="/settings/"' not in content


def test_password_reset_through_the_outbox(client, owner):
    response = client.post("/accounts/password/reset/", {"email": "owner@mail.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key out of the URL into the session
    set_password_url = response["Location"]
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    # The link works once.
    assert "not valid" in client.get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@mail.example"})
    assert response.status_code == 302  # no hint whether the address has an account
    assert all("/password/reset/key/" not in message.body for message in mail.outbox)


def test_password_change_keeps_the_session(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert client.get("/settings/").status_code == 200


def test_password_change_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_change_wrong_old_password_writes_nothing(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "<title>Error: Change your password" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_failed_sign_ins_are_rate_limited(client, owner, settings, process_cache):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    for _ in range(3):
        sign_in(client, "owner", "wrong")
    response = sign_in(client, "owner")  # even the right password waits now
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_ups_are_rate_limited_with_429(client, settings, process_cache):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    data = {"username": "a", "email": "a@mail.example", "password1": PASSWORD}
    client.post("/accounts/signup/", {**data, "password2": PASSWORD})
    client.logout()
    response = client.post("/accounts/signup/", {**data, "username": "b", "password2": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(username="b").exists()


def test_github_is_absent_without_keys(client, settings, db):
    assert "allauth.socialaccount.providers.github" not in settings.INSTALLED_APPS
    assert settings.SOCIALACCOUNT_PROVIDERS == {}
    assert "GitHub" not in client.get("/accounts/login/").content.decode()


def run_settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "roadmap_site.settings", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_github_is_wired_when_both_keys_are_set():
    """With both keys the provider is installed and its login view sends people to GitHub's
    authorisation page with our client id (on a fresh test database)."""
    result = run_settings(
        {"GITHUB_CLIENT_ID": "id-from-env", "GITHUB_SECRET": "secret-from-env"},
        "from django.conf import settings; "
        "from django.test import Client; from django.test.utils import setup_test_environment; "
        "from django.test.runner import DiscoverRunner; "
        "setup_test_environment(); runner = DiscoverRunner(verbosity=0); "
        "old = runner.setup_databases(); "
        "response = Client().post('/accounts/github/login/'); "
        "print('allauth.socialaccount.providers.github' in settings.INSTALLED_APPS); "
        "print(response.status_code); print(response.get('Location', '')); "
        "runner.teardown_databases(old)",
    )
    assert result.returncode == 0, result.stderr
    installed, status, location = result.stdout.split()[-3:]
    assert (installed, status) == ("True", "302")
    assert location.startswith("https://github.com/login/oauth/authorize?")
    assert "client_id=id-from-env" in location


def test_github_with_one_key_refuses_to_start():
    result = run_settings({"GITHUB_CLIENT_ID": "only-the-id"}, "pass")
    assert result.returncode != 0
    assert "Set both GITHUB_CLIENT_ID and GITHUB_SECRET" in result.stderr


def test_production_refuses_optional_verification():
    result = run_settings(
        {
            "DEBUG": "off",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "roadmap.example",
            "ACCOUNT_EMAIL_VERIFICATION": "optional",
        },
        "pass",
    )
    assert result.returncode != 0
    assert "ACCOUNT_EMAIL_VERIFICATION must be mandatory when DEBUG is off" in result.stderr


def test_unverified_user_fixture_is_not_verified(db):
    # Guards the factory the other tests rely on.
    user = UserFactory(username="fresh", verified=False)
    assert not EmailAddress.objects.get(user=user).verified


def test_email_addresses_page_lists_and_adds(client, owner):
    client.force_login(owner)
    content = client.get("/accounts/email/").content.decode()
    assert "owner@mail.example" in content
    assert "verified" in content
    response = client.post("/accounts/email/", {"action_add": "", "email": "second@mail.example"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=owner, email="second@mail.example").exists()
    assert mail.outbox[-1].to == ["second@mail.example"]


def test_email_addresses_page_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/accounts/email/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_has_visible_labels_and_no_inline_style(client, db):
    content = client.get("/accounts/login/").content.decode()
    assert '<label class="label" for="id_login">' in content
    assert '<label class="label" for="id_password">' in content
    assert "style=" not in content
    assert "<title>Sign in · ML Engineer Roadmap</title>" in content


def test_allauth_pages_we_did_not_write_still_use_the_site_layout(client, owner):
    client.force_login(owner)
    content = client.get("/accounts/3rdparty/").content.decode()
    assert '<a class="skip-link" href="#main">' in content
    assert "· ML Engineer Roadmap</title>" in content


def _other_session_and_token(owner):
    """A second browser signed in as the owner, and an API token of theirs."""
    from django.test import Client

    from apps.accounts.services import api_token_create

    other = Client()
    other.force_login(owner)
    assert other.get("/settings/").status_code == 200
    _, key = api_token_create(user=owner, name="script")
    return other, key


def _token_works(key: str) -> bool:
    from rest_framework.test import APIClient

    answer = APIClient().get("/api/v1/me/export/", HTTP_AUTHORIZATION=f"Token {key}")
    return answer.status_code == 200


def test_a_password_change_ends_the_tokens_and_other_sessions(client, owner):
    other, key = _other_session_and_token(owner)
    assert _token_works(key)
    client.force_login(owner)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/settings/").status_code == 200  # the session that changed it stays
    assert other.get("/settings/").status_code == 302  # the other one is signed out
    assert not _token_works(key)


def test_a_password_reset_ends_the_tokens_and_sessions(client, owner):
    other, key = _other_session_and_token(owner)
    client.post("/accounts/password/reset/", {"email": "owner@mail.example"})
    set_password_url = client.get(link_in(mail.outbox[0], "/accounts/password/reset/key/"))[
        "Location"
    ]
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert other.get("/settings/").status_code == 302
    assert not _token_works(key)


# ---------------------------------------------------------------------------------------------
# Words on the auth pages (issue 17): fields named in errors, one reset link, sentence case.


def _main(content: str) -> str:
    return content[content.index("<main") : content.index("</main>")]


def _summary_items(content: str) -> list[str]:
    summary = content[content.index('class="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary)]


def test_sign_in_page_names_the_login_field_and_links_the_reset_once(client, db):
    content = _main(client.get("/accounts/login/").content.decode())
    assert re.search(r'<label class="label" for="id_login">Username or email</label>', content)
    assert content.count("Forgot your password?") == 1
    assert content.count('href="/accounts/password/reset/"') == 1


def test_an_empty_sign_in_names_each_missing_field(client, db):
    response = client.post("/accounts/login/", {})
    assert response.status_code == 200
    items = _summary_items(response.content.decode())
    assert items == ["Enter your username or email", "Enter your password"]


def test_an_empty_sign_up_names_each_missing_field_and_writes_nothing(client, db):
    response = client.post("/accounts/signup/", {})
    assert response.status_code == 200
    items = _summary_items(response.content.decode())
    assert items == [
        "Enter your email",
        "Enter a username",
        "Enter a password",
        "Enter the password again",
    ]
    assert not User.objects.exists()


def test_an_empty_password_reset_names_the_email_field(client, db):
    response = client.post("/accounts/password/reset/", {})
    assert response.status_code == 200
    assert _summary_items(response.content.decode()) == ["Enter your email"]
    assert not mail.outbox


# Words that keep their capitals inside a sentence-case heading, label or button.
PROPER_NOUNS = {"GitHub", "API", "JSON", "ML", "Engineer", "Roadmap", "I"}


def _sentence_case_problems(content: str) -> list[str]:
    texts = re.findall(r"<(?:h1|h2|h3|button|label|legend)\b[^>]*>(.*?)</", _main(content), re.S)
    problems = []
    for text in texts:
        words = re.sub(r"<[^>]+>|\{.*?\}", " ", text).split()
        for word in words[1:]:
            bare = word.strip("().,:;?!“”\"'")
            if bare[:1].isupper() and bare not in PROPER_NOUNS:
                problems.append(" ".join(words))
                break
    return problems


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/",
    ],
)
def test_auth_pages_use_sentence_case(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert _sentence_case_problems(response.content.decode()) == []


@pytest.mark.parametrize("path", ["/accounts/password/change/", "/accounts/email/"])
def test_signed_in_auth_pages_use_sentence_case(client, owner, path):
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    assert _sentence_case_problems(response.content.decode()) == []


def test_account_emails_greet_with_the_site_name_not_the_host(client, settings, db):
    settings.SITE_URL = "https://roadmap.example"
    client.post(
        "/accounts/signup/",
        {
            "username": "greeted",
            "email": "greeted@mail.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    (message,) = mail.outbox
    assert message.body.startswith("Hello from ML Engineer Roadmap!")
    assert "Thank you for using ML Engineer Roadmap!" in message.body
    assert "testserver" not in message.body.replace("http://testserver/", "")
    assert "roadmap.example" in message.body
