"""Beat's lock on a real Redis: one holder at a time, only the holder renews or releases, and
a lease that is not renewed runs out (tests/integration/test_many_processes.py runs two beats)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from roadmap_site.beat import BeatLock

pytestmark = pytest.mark.integration


@pytest.fixture
def lock_client(redis_url) -> Iterator[tuple[redis.Redis, str]]:
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    key = f"beat-lock-test-{uuid.uuid4().hex}"
    try:
        yield client, key
    finally:
        client.delete(key)
        client.close()


def test_one_holder_renews_the_other_waits_and_takes_over_when_the_lease_runs_out(
    lock_client,
) -> None:
    client, key = lock_client
    first = BeatLock(client, key, 0.6, "first")
    second = BeatLock(client, key, 0.6, "second")
    assert first.hold() is True
    assert second.hold() is False
    assert second.holder() == "first"
    # The holder's renewals keep the lease alive past its length.
    for _ in range(4):
        time.sleep(0.25)
        assert first.hold() is True
        assert second.hold() is False
    # The holder stops renewing (it died): the lease runs out and the other takes it.
    time.sleep(0.8)
    assert second.hold() is True
    assert first.hold() is False  # the old holder cannot renew what it lost
    assert client.get(key) == b"second"


def test_only_the_holder_releases(lock_client) -> None:
    client, key = lock_client
    holder = BeatLock(client, key, 30, "holder")
    other = BeatLock(client, key, 30, "other")
    assert holder.hold()
    assert other.release() is False
    assert client.get(key) == b"holder"
    assert 0 < client.pttl(key) <= 30_000
    assert holder.release() is True
    assert client.get(key) is None
    assert other.hold() is True  # free at once, no lease to wait out
