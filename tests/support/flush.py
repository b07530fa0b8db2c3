"""Emptying the tables after a transactional test, on PostgreSQL, with DELETE (a plugin of the
root conftest).

After each test that commits (`transactional_db`, `live_server`: the browser and integration
tests, about a hundred), Django empties every table with `flush`, which on PostgreSQL is one
TRUNCATE of all of them. TRUNCATE gives each of the ~90 tables a new file on disk, however
few rows it held: about a second per test on the CI machine, most of a browser test's
teardown. A DELETE of a table that holds a few rows, or none, costs almost nothing. So, in the
test process only, the flush deletes instead: every table, in one round trip, in the flush's
transaction. The foreign keys Django makes on PostgreSQL are DEFERRABLE INITIALLY DEFERRED, so
the order does not matter to them; the triggers that write (the topics', phases' and
sections' rows move the pages' version row, the progress tables' rows each learner's
personal version, making them if missing: roadmap migration 0010, progress 0007) are met by
deleting those rows last. The tables end exactly as empty as after TRUNCATE
(which SQLite's flush does the same way, its DELETEs in the same order). Sequences move on as before
(TRUNCATE without RESTART IDENTITY did not reset them either); a flush that asks for a reset
or a CASCADE keeps Django's TRUNCATE.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


def _trigger_written_last(tables) -> list[str]:
    """The tables in flush order, those the triggers write (the pages' version row, each
    learner's personal version) after the tables whose triggers write them."""
    from apps.accounts.models import PersonalVersion
    from apps.roadmap.models import PageVersion

    last = {PageVersion._meta.db_table, PersonalVersion._meta.db_table}
    return sorted(tables, key=lambda table: table in last)


def _delete_flush(original):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return original(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            " ".join(
                f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
                for table in _trigger_written_last(tables)
            )
        ]

    return sql_flush


def _ordered_flush(original):
    """SQLite's own flush (a DELETE per table), in `_trigger_written_last`'s order."""

    def sql_flush(self, style, tables, **options):
        return original(self, style, _trigger_written_last(tables), **options)

    return sql_flush


@pytest.fixture(scope="session", autouse=True)
def _flush_with_delete() -> Iterator[None]:
    from django.db.backends.postgresql.operations import DatabaseOperations

    # SQLite's through its backend module, which imports its operations (directly, they form a
    # circular import).
    from django.db.backends.sqlite3 import base as sqlite

    SQLiteOperations = sqlite.DatabaseWrapper.ops_class

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", _delete_flush(DatabaseOperations.sql_flush))
        patch.setattr(SQLiteOperations, "sql_flush", _ordered_flush(SQLiteOperations.sql_flush))
        yield
