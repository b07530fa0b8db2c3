"""Behind the reverse proxy: the client address that rate limits count (TRUSTED_PROXY_COUNT).

Every request reaches the web container from the proxy's address; the proxy appends the
address it received the request from to X-Forwarded-For. Whatever stands left of that entry
was sent by the client and proves nothing.
"""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client, RequestFactory
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from apps.accounts.client_address import client_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.5"  # the proxy container, as REMOTE_ADDR
GUESSER = "198.51.100.7"
NEIGHBOUR = "203.0.113.9"
TOKEN_URL = "/api/v1/auth/token/"


def behind_proxy(client_class, forwarded_for: str):
    """A client whose requests arrive through the proxy, which appended `forwarded_for`."""
    return client_class(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def address(forwarded_for: str | None, remote: str = PROXY) -> str | None:
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, None, PROXY),
        (0, GUESSER, PROXY),  # nothing is trusted: the header is ignored entirely
        (1, None, PROXY),  # did not come through the proxy
        (1, GUESSER, GUESSER),
        (1, f"{NEIGHBOUR}, {GUESSER}", GUESSER),  # the left entry is the client's own words
        (1, f"{NEIGHBOUR},{GUESSER}", GUESSER),
        (1, "2001:db8::1", "2001:db8::1"),
        (2, f"10.9.9.9, {GUESSER}, 10.0.0.3", GUESSER),
        (2, GUESSER, PROXY),  # fewer entries than proxies: not through all of them
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, f"{GUESSER}, ", PROXY),  # the right-most entry is empty
        (1, f"{GUESSER}, unknown", PROXY),
        (1, "1.2.3.4:5678", PROXY),
    ],
)
def test_the_client_address_trusts_exactly_the_configured_proxies(
    settings, count, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    assert address(forwarded_for) == expected


def test_allauth_asks_the_same_function(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{NEIGHBOUR}, {GUESSER}"
    )
    assert get_adapter(request).get_client_ip(request) == client_address(request) == GUESSER


def test_a_short_x_forwarded_for_on_the_login_page_is_no_server_error(
    client, owner, settings, process_cache
):
    """allauth's own reader raises ImproperlyConfigured (a 500) when the header has fewer
    entries than proxies; ours falls back to the connecting address."""
    settings.TRUSTED_PROXY_COUNT = 2
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    response = client.post(
        "/accounts/login/",
        {"login": "owner", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=GUESSER,
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_failed_logins_behind_the_proxy_lock_out_only_the_guesser(owner, settings, redis_cache):
    """Two clients behind one proxy: one exhausts the per-address failed-login limit on the
    real sign-in page (counted in Redis), the other still signs in."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip"}
    # The guesser also writes the neighbour's address into the header; the proxy appends
    # the guesser's real one after it.
    guesser = behind_proxy(Client, f"{NEIGHBOUR}, {GUESSER}")
    for attempt in range(10):
        guesser.post("/accounts/login/", {"login": f"someone{attempt}", "password": "guess"})
    refused = guesser.post("/accounts/login/", {"login": "owner", "password": PASSWORD})
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in guesser.session

    neighbour = behind_proxy(Client, NEIGHBOUR)
    response = neighbour.post("/accounts/login/", {"login": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert neighbour.session["_auth_user_id"] == str(owner.pk)


def test_the_token_throttle_counts_each_client_behind_the_proxy(owner, settings, redis_cache):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_TOKEN_RATE_LIMITS = {"ip": "2/3600", "login": "100/3600"}
    body = {"username": "owner", "password": "guess", "name": "x"}
    statuses = []
    for spoofed in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        guesser = behind_proxy(APIClient, f"{spoofed}, {GUESSER}")
        statuses.append(guesser.post(TOKEN_URL, body, format="json").status_code)
    assert statuses == [401, 401, 429]

    neighbour = behind_proxy(APIClient, NEIGHBOUR)
    response = neighbour.post(TOKEN_URL, {**body, "password": PASSWORD}, format="json")
    assert response.status_code == 201


def test_rotating_x_forwarded_for_with_no_trusted_proxy_does_not_dodge_the_throttle(
    owner, settings, process_cache
):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.API_TOKEN_RATE_LIMITS = {"ip": "2/3600", "login": "100/3600"}
    body = {"username": "owner", "password": "guess", "name": "x"}
    statuses = [
        APIClient(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(TOKEN_URL, body, format="json")
        for n in range(1, 5)
    ]
    assert [response.status_code for response in statuses] == [401, 401, 429, 429]


def test_password_resets_behind_the_proxy_limit_only_the_client_who_asked(
    owner, settings, process_cache
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip"}
    guesser = behind_proxy(Client, GUESSER)
    statuses = [
        guesser.post("/accounts/password/reset/", {"email": f"someone{n}@mail.example"})
        for n in range(3)
    ]
    assert [response.status_code for response in statuses] == [302, 302, 429]

    neighbour = behind_proxy(Client, NEIGHBOUR)
    response = neighbour.post("/accounts/password/reset/", {"email": "owner@mail.example"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["owner@mail.example"]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_drfs_own_client_address_trusts_as_many_proxies_as_the_site() -> None:
    assert api_settings.NUM_PROXIES == django_settings.TRUSTED_PROXY_COUNT
