"""The flush after a transactional test (tests/support/flush.py) empties every table."""

from __future__ import annotations

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.roadmap.models import Resource, Topic

# What the flush's post_migrate signal writes again (content types and their permissions).
REFILLED = {"django_content_type", "auth_permission"}


def _tables_with_rows() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._base_manager.exists()
    }


def test_the_flush_empties_every_table_linked_rows_too(transactional_db, seed, learner) -> None:
    assert {Topic._meta.db_table, Resource._meta.db_table, User._meta.db_table} <= (
        _tables_with_rows()
    )
    with CaptureQueriesContext(connection) as captured:
        # As TransactionTestCase's teardown calls it after each transactional test.
        call_command(
            "flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False
        )
    assert _tables_with_rows() <= REFILLED
    if connection.vendor == "postgresql":
        flushes = [q["sql"] for q in captured.captured_queries if "DELETE FROM" in q["sql"]]
        assert len(flushes) == 1, "one round trip"
        assert Topic._meta.db_table in flushes[0]
        assert not any("TRUNCATE" in q["sql"] for q in captured.captured_queries)
