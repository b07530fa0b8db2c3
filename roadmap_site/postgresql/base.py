"""Django's PostgreSQL backend, with one change: the check psycopg's pool makes of a connection
before it lends it (CONN_HEALTH_CHECKS).

Django gives the pool psycopg's own check, an empty query: a round trip to the server before
the first query of every request, whether or not anything happened to the connection while it
sat in the pool. A server that ends a connection (a restart, an idle timeout,
`pg_terminate_backend`, a crash of the backend) says so on its socket: an error message, then
the end of the stream. So `check_unless_quiet` first asks the socket, without waiting and
without a round trip, whether anything has arrived since the connection was put back: nothing
means it is lent as it is; anything (or a socket that cannot be asked) means psycopg's full
check, which throws a dead connection away so that the pool opens a new one. A link cut
without a word from the server (a cable, a partition) is not seen by either check before a
query times out.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def check_unless_quiet(conn: Any) -> None:
    """Return quietly if nothing has arrived on the idle connection's socket; otherwise run
    psycopg's check (which raises for a dead connection)."""
    if not conn.closed:
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError):
            readable = [True]
        if not readable:
            return
    ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        pool = super().pool
        if pool is not None and pool._check is ConnectionPool.check_connection:
            pool._check = check_unless_quiet  # where psycopg's pool keeps the check
        return pool
