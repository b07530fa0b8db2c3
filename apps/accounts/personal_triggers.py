"""The triggers that move a person's version (accounts.PersonalVersion) on every write to a
table of theirs, for the migrations of the apps that own those tables (progress, solutions):
one bump per row written, in the writer's transaction, the row made if missing."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import migrations

from roadmap_site.database_triggers import row_triggers


def bump(user_id: str) -> str:
    return (
        "INSERT INTO accounts_personalversion (user_id, version) "  # noqa: S608 (a column name)
        f"VALUES ({user_id}, 1) ON CONFLICT (user_id) "
        "DO UPDATE SET version = accounts_personalversion.version + 1"
    )


def personal_version_triggers(tables: Mapping[str, str]) -> migrations.RunPython:
    """For each table (name: its user id column), triggers that move that user's version."""
    return row_triggers(
        function="bump_personal", tables=tables, statements=lambda user_id: [bump(user_id)]
    )
