"""One small read on the hottest paths (the cached pages and tree), for the version that keys
them: plain SQL, and the query doubles as the connection's health check.

With CONN_HEALTH_CHECKS on, Django checks a reused connection with a `SELECT 1` before the
first query of each request: a second round trip to the database on answers that otherwise
need only one. Here the version query itself is that check: if the connection turns out to be
broken, it is closed and the query runs once more on a new one, which is what the check would
have done.
"""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError, connection


def one_row(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    db: Any = connection  # the stubs know neither health-check attribute
    if (
        db.connection is not None
        and db.health_check_enabled
        and not db.health_check_done
        and not db.in_atomic_block
    ):
        db.health_check_done = True
        try:
            return _fetch(sql, params)
        except (InterfaceError, OperationalError):
            connection.close()  # as the failed check would; the next cursor reconnects
    return _fetch(sql, params)


def _fetch(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
