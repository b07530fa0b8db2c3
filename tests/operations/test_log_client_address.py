"""The request logs name the client the rate limits count, not one a client wrote itself."""

from __future__ import annotations

import pytest
import structlog
from django_structlog.signals import bind_extra_request_metadata


@pytest.fixture
def logged_ips():
    seen: list[str | None] = []

    def record(request, **kwargs) -> None:
        seen.append(structlog.contextvars.get_contextvars().get("ip"))

    # Connected after the app's own receiver, so it sees what the app bound.
    bind_extra_request_metadata.connect(record, weak=False)
    yield seen
    bind_extra_request_metadata.disconnect(record)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "6.6.6.6", "127.0.0.1"),  # no proxy of ours: the header is the client's own words
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # our proxy appended the right-most entry
        (1, "not an address", "127.0.0.1"),
    ],
)
def test_the_logged_ip_is_the_client_address_the_limits_use(
    client, settings, logged_ips, proxies, forwarded_for, expected
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    client.get("/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="127.0.0.1")
    assert logged_ips == [expected]
