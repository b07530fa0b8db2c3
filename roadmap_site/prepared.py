"""Queries built by the ORM once per process and run after as plain, prepared SQL; and
`one_row`, the one-row read of the hottest paths (the pages' and the tree's versions when they
are not pushed, the session with its user).

On the signed-in pages' layer the ORM's building of a query (lookups, joins, compiling the
SQL) costs several times the query itself. A `CompiledQuery` is defined as an ordinary
queryset, so it reads like every other selector, with placeholder values where the request's
own go: it is compiled on first use on each database connection's vendor, and each run sends
that SQL with the request's values in the placeholders' places, through the prepared cursor
below (counted and logged as any query). Rows come back as the queryset itself would give
them: converted by the same converters, as model instances with their `select_related`
objects, or as `values_list` tuples.

A placeholder is an integer no row can have (negative), given by name; each must appear in
the compiled parameters, or compiling fails loudly. Only querysets whose SQL does not change
shape with their values belong here (no `__in` lists). On PostgreSQL the statement is prepared
with its parameters untyped: a NULL standing for a column (a UNION's missing one) needs a
`Cast`, or the server takes the column for text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import InterfaceError, OperationalError, connection
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

PLACEHOLDER_BASE = -7_300_000_000


class _Compiled:
    """One queryset's SQL, where its placeholders sit among the parameters, and how its rows
    become results."""

    def __init__(self, queryset: QuerySet, slots: dict[str, int]) -> None:
        compiler = queryset.query.get_compiler(using=connection.alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots: list[tuple[int, str]] = []
        for name, marker in slots.items():
            found = [index for index, value in enumerate(self.params) if value == marker]
            if not found:
                raise ValueError(f"the placeholder {name!r} is not among the query's parameters")
            self.slots += [(index, name) for index in found]
        select = compiler.select
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.compiler = compiler
        self.iterable = queryset._iterable_class
        self.make: Callable[[tuple[Any, ...]], Any]
        if self.iterable is ModelIterable:
            self.make = self._model_maker(queryset)
        elif self.iterable is ValuesListIterable:
            self.make = tuple  # the SQL's columns are in the order asked for
        else:
            raise ValueError("a compiled query gives model instances or values_list tuples")

    def _model_maker(self, queryset: QuerySet) -> Callable[[tuple[Any, ...]], Any]:
        compiler = self.compiler
        klass_info, select = compiler.klass_info, compiler.select
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [f[0].target.attname for f in select[start:end]]
        db = connection.alias
        # (the stubs give it Django 6's signature)
        populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]
        annotations = list((compiler.annotation_col_map or {}).items())

        def make(row: tuple[Any, ...]) -> Any:
            obj = model.from_db(db, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr, position in annotations:
                setattr(obj, attr, row[position])
            return obj

        return make

    def params_for(self, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        return params

    def results(self, rows: list[Any]) -> list[Any]:
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return [self.make(tuple(row)) for row in rows]

    def run(self, values: dict[str, Any]) -> list[Any]:
        with _cursor() as cursor:
            cursor.execute(self.sql, self.params_for(values))
            return self.results(cursor.fetchall())


class CompiledQuery:
    """`build(**placeholders)` returns the queryset; `run(**values)` its results for those
    values (a list of model instances or of tuples)."""

    def __init__(self, build: Callable[..., QuerySet], *names: str) -> None:
        self._build = build
        self._slots = {name: PLACEHOLDER_BASE - number for number, name in enumerate(names)}
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for_vendor(self) -> _Compiled:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            with self._lock:
                compiled = _Compiled(self._build(**self._slots), self._slots)
                self._compiled[connection.vendor] = compiled
        return compiled

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        if set(values) != set(self._slots):
            raise TypeError(f"expected the values {sorted(self._slots)}, got {sorted(values)}")
        return values

    def run(self, **values: Any) -> list[Any]:
        return self._for_vendor().run(self._checked(values))


def run_together(*runs: tuple[CompiledQuery, dict[str, Any]]) -> list[list[Any]]:
    """Each (query, values)'s results, the queries sent together: on PostgreSQL in one round
    trip (psycopg's pipeline: all are sent, then all answers read), elsewhere one by one. Each
    is still one query, counted and logged as such."""
    compiled = [(query._for_vendor(), query._checked(values)) for query, values in runs]
    if connection.vendor != "postgresql" or len(compiled) < 2:
        return [one.run(values) for one, values in compiled]
    cursors = [_cursor() for _ in compiled]
    try:
        with connection.connection.pipeline():
            for cursor, (one, values) in zip(cursors, compiled, strict=True):
                cursor.execute(one.sql, one.params_for(values))
            fetched = [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()
    return [one.results(rows) for (one, _values), rows in zip(compiled, fetched, strict=True)]


# -- one row, and the prepared cursor
#
# With CONN_HEALTH_CHECKS on (and no pool), Django checks a reused connection with a `SELECT 1`
# before the first query of each request: a second round trip on answers that otherwise need
# one. `one_row`'s query is that check itself: if the connection turns out to be broken, it is
# closed and the query runs once more on a new one, which is what the check would have done.


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
