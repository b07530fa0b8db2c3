"""One small read on the hottest paths (the cached pages and tree), for the version that keys
them: plain SQL, prepared on PostgreSQL, and the query doubles as the connection's health
check; and the one comparison of an `If-None-Match` header with an ETag that both answer 304
by.

With CONN_HEALTH_CHECKS on, Django checks a reused connection with a `SELECT 1` before the
first query of each request: a second round trip to the database on answers that otherwise
need only one. Here the version query itself is that check: if the connection turns out to be
broken, it is closed and the query runs once more on a new one, which is what the check would
have done.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from django.utils.http import parse_etags


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header names `etag` (a weak comparison, as RFC 9110 13.1.2
    asks for) or is `*`. The substring test first: most headers name another page's tag or
    none, and then nothing is parsed."""
    if header == etag:  # what a client sends back most often: nothing to parse
        return True
    if not header or (etag not in header and "*" not in header):
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in {tag.removeprefix("W/") for tag in tags}


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
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _cursor() -> Any:
    """On PostgreSQL a cursor whose statements the server prepares once per connection:
    parsed and planned on the first request, only executed after (about half the round
    trip's time on a loaded machine). Django's own cursors bind on the client and never
    prepare, so only these queries are prepared; Django's wrapper is kept, so they are
    counted, logged and their errors are Django's as any other query's. (Prepared statements
    need a direct connection or a pooler that keeps them, as PgBouncer 1.21+ does.)"""
    if connection.vendor != "postgresql":
        return connection.cursor()
    db: Any = connection
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold != 0:
        raw.prepare_threshold = 0  # prepare the first time (Django turns preparing off)
    with db.wrap_database_errors:
        return db._prepare_cursor(_prepared_cursor_class()(raw))


@lru_cache(maxsize=1)
def _prepared_cursor_class() -> type:
    import psycopg  # PostgreSQL's driver: imported only where it is used

    class PreparedCursor(psycopg.Cursor):
        """psycopg's server-binding cursor; it names the query it ran for Django's query log
        (psycopg keeps it only for statements it does not prepare)."""

        def _send_query_prepared(self, name: bytes, pgq: Any, **kwargs: Any) -> None:
            self._query = pgq
            super()._send_query_prepared(name, pgq, **kwargs)

    return PreparedCursor
