"""The version read on the hottest paths doubles as the connection's health check.

On PostgreSQL, whose connections a server can drop: closing SQLite's in-memory test database
would take the database itself with it. These tests are about the database read, so the
versions pushed to the process (apps.roadmap.version_feed, tests/roadmap/test_version_feed.py)
are turned off: it is the read that runs whenever the feed cannot be trusted."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.roadmap.services import pages_touch, pages_version, pages_versions
from roadmap_site.prepared import one_row


@pytest.fixture(autouse=True)
def database_reads(settings) -> None:
    settings.VERSIONS_FEED = False


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_replaced_and_the_version_still_read(postgres_only) -> None:
    pages_touch()
    expected = pages_version()
    raw = connection.connection
    assert raw is not None
    raw.close()  # the server went away under a kept connection
    connection.health_check_enabled = True
    connection.health_check_done = False  # a new request, not yet checked
    assert pages_version() == expected
    assert connection.connection is not raw  # replaced, as the failed check would have done
    assert connection.health_check_done


@pytest.mark.django_db(transaction=True)
def test_no_separate_health_check_when_the_connection_is_sound(
    postgres_only, monkeypatch, django_assert_num_queries
) -> None:
    pages_touch()
    connection.ensure_connection()
    connection.health_check_enabled = True
    connection.health_check_done = False
    checks = []
    real_check = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real_check())
    with django_assert_num_queries(1):
        assert one_row("SELECT 2", []) == (2,)
    assert connection.health_check_done
    assert checks == []  # the query was the check
    connection.health_check_done = False
    with connection.cursor() as cursor:  # what any other first query of a request costs
        cursor.execute("SELECT 3")
    if connection.pool is None:
        assert checks == [1]
    else:
        # With psycopg's pool (DATABASE_POOL) Django checks nothing itself: the pool checked
        # the connection when it lent it (tests/operations/test_connection_pool.py).
        assert checks == []
        assert connection.pool._check is not None


@pytest.mark.django_db(transaction=True)
def test_the_version_query_is_prepared_once_and_still_counted(
    postgres_only, django_assert_num_queries
) -> None:
    connection.close()  # a new connection: nothing prepared on it yet
    expected = pages_versions()
    with django_assert_num_queries(1) as queries:  # counted as any query is
        assert pages_versions() == expected
    assert "community_version" in queries.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len([sql for sql in prepared if "community_version" in sql]) == 1, prepared
    with connection.cursor() as cursor:  # Django's own cursors still bind on the client
        cursor.execute("SELECT 7 AS seven WHERE 1 = %s", [1])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        assert not [row[0] for row in cursor.fetchall() if "seven" in row[0]]
