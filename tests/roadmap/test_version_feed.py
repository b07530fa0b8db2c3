"""The versions pushed to each process (apps.roadmap.version_feed): a cached page or tree costs
no query; a bump committed elsewhere arrives by notification; the database is read whenever
the feed cannot be trusted (off, SQLite, an atomic block, a broken listener, an unknown slug).

Transactional tests: a notification is sent only at commit."""

from __future__ import annotations

import os
import select
import threading
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.roadmap import version_feed
from apps.roadmap.models import PageVersion, Roadmap
from apps.roadmap.selectors import roadmap_version_or_none
from apps.roadmap.services import community_touch, pages_touch, pages_versions, roadmap_touch
from apps.roadmap.services.touch import PAGE_VERSION_ROW
from apps.roadmap.version_feed import CHANNEL, feed
from tests.factories import resource

pytestmark = pytest.mark.django_db(transaction=True)

ROADMAP = "/roadmaps/ml-engineer/"
TREE = "/api/v1/roadmaps/ml-engineer/"
# Generous: a notification arrives in well under a millisecond on a quiet machine.
ARRIVAL_SECONDS = 5.0


@pytest.fixture
def other() -> psycopg.Connection:
    """A connection of its own, as another process would have: its commits are not ours."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        yield other


def _arrives(read, expected) -> bool:
    """Whether `read()` reaches `expected` from the feed, waiting for the notification."""
    deadline = time.monotonic() + ARRIVAL_SECONDS
    while read() != expected:
        if time.monotonic() > deadline:
            return False
        select.select([feed._listener.pgconn.socket], [], [], 0.05)
    return True


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured.captured_queries)


def _listener_pid() -> int:
    return feed._listener.info.backend_pid


def test_a_bump_committed_elsewhere_is_read_without_a_query(postgres_only, other) -> None:
    pages_touch()
    content, community = pages_versions()
    assert _queries(pages_versions) == ((content, community), 0)
    other.execute("UPDATE roadmap_pageversion SET community_version = community_version + 1")
    assert _arrives(lambda: feed.pages(PAGE_VERSION_ROW), (content, community + 1))
    assert _queries(pages_versions) == ((content, community + 1), 0)


def test_a_cached_page_and_tree_cost_no_query_and_follow_a_bump_elsewhere(
    postgres_only, roadmap, topic, other
) -> None:
    resource(roadmap, topic, title="Good read")
    pages_touch()
    client = Client()
    for path in (ROADMAP, TREE):
        first = client.get(path)
        assert first.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            again = client.get(path)
        assert len(captured.captured_queries) == 0, captured.captured_queries
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
    tree_etag = first["ETag"]
    other.execute(
        "UPDATE roadmap_roadmap SET content_version = content_version + 1 WHERE slug = %s",
        [roadmap.slug],
    )
    assert _arrives(lambda: roadmap_version_or_none(slug=roadmap.slug), roadmap.content_version + 1)
    assert client.get(TREE)["ETag"] != tree_etag  # the new version's, rendered again


def test_threads_read_the_feed_together_while_bumps_arrive(postgres_only, other) -> None:
    pages_touch()
    content = pages_versions()[0]
    bumps = 200
    seen: list[list[int]] = [[] for _ in range(4)]

    def read(mine: list[int]) -> None:
        try:
            deadline = time.monotonic() + ARRIVAL_SECONDS
            while time.monotonic() < deadline:
                versions = feed.pages(PAGE_VERSION_ROW)
                assert versions is not None
                mine.append(versions[0])
                if versions[0] == content + bumps:
                    return
                time.sleep(0.0005)
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(mine,)) for mine in seen]
    for thread in threads:
        thread.start()
    for _ in range(bumps):
        other.execute("UPDATE roadmap_pageversion SET version = version + 1")
    for thread in threads:
        thread.join()
    for mine in seen:
        assert mine[-1] == content + bumps  # every thread got there
        assert mine == sorted(mine)  # and never read a version older than one it had read


def test_one_read_takes_a_backlog_larger_than_one_receive(postgres_only, other) -> None:
    pages_touch()
    content, community = pages_versions()
    bumps = 1000  # some 40 kB of notifications, more than libpq reads at once
    with other.transaction():  # one commit: the notifications are sent together
        for _ in range(bumps):
            other.execute("UPDATE roadmap_pageversion SET version = version + 1")
    time.sleep(0.3)  # they reach this process's socket; nothing reads them meanwhile
    assert _queries(pages_versions) == ((content + bumps, community), 0)


def test_a_broken_listener_falls_back_to_the_database_and_recovers(
    postgres_only, other, monkeypatch
) -> None:
    pages_touch()
    expected = pages_versions()
    first = _listener_pid()
    other.execute("SELECT pg_terminate_backend(%s)", [first])
    time.sleep(0.1)  # the server's goodbye reaches the listener's socket
    assert _queries(pages_versions) == (expected, 1)
    assert feed._listener is None
    other.execute("UPDATE roadmap_pageversion SET version = version + 1")
    bumped = (expected[0] + 1, expected[1])
    assert _queries(pages_versions) == (bumped, 1)  # not yet time to open it again
    monkeypatch.setattr(version_feed, "RETRY_SECONDS", 0.0)
    feed._retry_at = 0.0
    assert _queries(pages_versions) == (bumped, 0)  # listening again, from the current values
    assert _listener_pid() != first


def test_a_write_in_an_atomic_block_is_read_at_once_and_held_after_commit(postgres_only) -> None:
    pages_touch()
    roadmap = Roadmap.objects.create(slug="written", title="Written")
    content, community = pages_versions()
    with transaction.atomic():
        roadmap_touch(roadmap=roadmap)
        # Not committed, so not notified: read from the database, with the block's write.
        assert _queries(pages_versions) == ((content + 1, community), 1)
        assert _queries(lambda: roadmap_version_or_none(slug="written")) == (2, 1)
    # The commit waited for this process's listener: no query, and nothing older.
    assert _queries(pages_versions) == ((content + 1, community), 0)
    assert _queries(lambda: roadmap_version_or_none(slug="written")) == (2, 0)


def test_an_unknown_or_deleted_roadmap_is_asked_of_the_database(postgres_only, other) -> None:
    Roadmap.objects.create(slug="gone", title="Gone")
    assert _queries(lambda: roadmap_version_or_none(slug="gone")) == (1, 0)
    assert _queries(lambda: roadmap_version_or_none(slug="nothing")) == (None, 1)
    other.execute("DELETE FROM roadmap_roadmap WHERE slug = 'gone'")
    assert _arrives(lambda: feed.roadmap("gone"), None)
    assert _queries(lambda: roadmap_version_or_none(slug="gone")) == (None, 1)


def test_a_forked_child_listens_on_its_own_and_leaves_the_parent_listening(
    postgres_only, other
) -> None:
    pages_touch()
    expected = pages_versions()
    parent = _listener_pid()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through the pipe)
        try:
            ok = feed.pages(PAGE_VERSION_ROW) == expected and _listener_pid() != parent
            os.write(writing, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(writing)
    assert os.read(reading, 1) == b"1"
    os.close(reading)
    os.waitpid(child, 0)
    other.execute("UPDATE roadmap_pageversion SET version = version + 1")
    assert _arrives(lambda: feed.pages(PAGE_VERSION_ROW), (expected[0] + 1, expected[1]))
    assert _listener_pid() == parent


def test_the_triggers_notify_the_new_values(postgres_only, other) -> None:
    PageVersion.objects.all().delete()
    other.execute(f"LISTEN {CHANNEL}")
    pages_touch()
    community_touch()
    roadmap = Roadmap.objects.create(slug="first", title="First")
    roadmap_touch(roadmap=roadmap, community=True)
    Roadmap.objects.filter(pk=roadmap.pk).update(slug="second")
    Roadmap.objects.filter(pk=roadmap.pk).update(title="Not a version")
    Roadmap.objects.filter(pk=roadmap.pk).delete()
    PageVersion.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {PageVersion._meta.db_table}")
    heard = [notify.payload for notify in other.notifies(timeout=2.0, stop_after=10)]
    assert heard == [
        "pages:1:2:1",
        "pages:1:2:2",
        "roadmap:first:1",
        "roadmap:first:2",
        "pages:1:2:3",
        "roadmap:first:",
        "roadmap:second:2",
        "roadmap:second:",
        "pages:1::",
        "reset",
    ]


def test_the_database_is_read_when_the_feed_is_off_or_not_postgresql(settings) -> None:
    if connection.vendor == "postgresql":
        settings.VERSIONS_FEED = False
    pages_touch()
    expected = pages_versions()
    assert _queries(pages_versions) == (expected, 1)
    assert _queries(lambda: roadmap_version_or_none(slug="nothing")) == (None, 1)
    assert feed._listener is None  # never opened
