"""PostgreSQL connections come from psycopg's pool (DATABASE_POOL, on by default): a connection
the server dropped while it sat in the pool is checked, thrown away and replaced before any
request sees it."""

from __future__ import annotations

import select
import time

import psycopg
import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_the_server_dropped_is_replaced_before_use(
    postgres_only, settings
) -> None:
    if not settings.DATABASE_POOL:
        pytest.skip("DATABASE_POOL=0: this run has no pool")
    assert connection.pool is not None, "the settings give PostgreSQL a pool"
    assert connection.settings_dict["CONN_MAX_AGE"] == 0
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    backend = raw.info.backend_pid
    connection.close()  # the end of a request: back to the pool, still open
    assert not raw.closed
    # The server ends that connection (a restart, an idle timeout, an operator) while it idles.
    params = connection.get_connection_params()
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    # The next request's first query runs on a sound connection.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (now_backend,) = cursor.fetchone()
    assert now_backend != backend
    assert connection.connection is not raw


@pytest.mark.django_db(transaction=True)
def test_a_quiet_pooled_connection_is_lent_without_the_check_query(
    postgres_only, settings, monkeypatch
) -> None:
    """The pool asks the idle connection's socket first (roadmap_site/postgresql/base.py):
    nothing arrived, no round trip; the server's word (here, its ending the connection) sends
    it to psycopg's full check, which refuses it."""
    if not settings.DATABASE_POOL:
        pytest.skip("DATABASE_POOL=0: this run has no pool")
    from psycopg_pool import ConnectionPool

    from roadmap_site.postgresql.base import check_unless_quiet

    assert connection.pool._check is check_unless_quiet  # the pool Django made uses it
    full_checks: list[int] = []
    original = ConnectionPool.check_connection

    def counted(conn) -> None:
        full_checks.append(conn.info.backend_pid)
        original(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted))
    params = connection.get_connection_params()
    params.pop("context", None)
    with (
        psycopg.connect(**params, autocommit=True) as idle,
        psycopg.connect(**params, autocommit=True) as admin,
    ):
        idle.execute("SELECT 1")
        backend = idle.info.backend_pid
        check_unless_quiet(idle)  # nothing arrived: lent as it is
        assert full_checks == []
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
        deadline = time.monotonic() + 5
        while not select.select([idle.fileno()], [], [], 0.05)[0]:
            assert time.monotonic() < deadline, "the server's word never arrived"
        with pytest.raises(psycopg.OperationalError):
            check_unless_quiet(idle)  # the socket spoke: the full check, which refuses it
    assert full_checks == [backend]
