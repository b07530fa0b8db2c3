"""PostgreSQL connections come from psycopg's pool (DATABASE_POOL, on by default): a connection
the server dropped while it sat in the pool is checked, thrown away and replaced before any
request sees it."""

from __future__ import annotations

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
