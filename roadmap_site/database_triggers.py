"""SQL that only some databases take (triggers, notifications), run by a migration on those
databases: one `RunPython` that runs each vendor's statements, forward and backward. On any
other database it does nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import migrations

Statements = Mapping[str, Sequence[str]]  # by `connection.vendor`


def _runner(statements: Statements) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement)

    return run


def by_vendor(forward: Statements, backward: Statements) -> migrations.RunPython:
    """The operation that runs `forward` (and, undone, `backward`) on the vendors they name."""
    return migrations.RunPython(_runner(forward), _runner(backward))


def row_triggers(
    *, function: str, tables: Mapping[str, str], statements: Callable[[str], Sequence[str]]
) -> migrations.RunPython:
    """Triggers after every INSERT, UPDATE and DELETE of a row of each of `tables` (table name:
    the column it passes on) that run `statements(row's column)`: for the old row on UPDATE and
    DELETE, for the new one on INSERT and on an UPDATE that changed the column. PostgreSQL: a
    PL/pgSQL function and a trigger per table, named `function`_table; SQLite: a trigger per
    table and event."""
    forward_pg: list[str] = []
    backward_pg: list[str] = []
    forward_lite: list[str] = []
    backward_lite: list[str] = []
    for table, column in tables.items():
        name = f"{function}_{table}"
        old = "".join(f"{statement};" for statement in statements(f"OLD.{column}"))
        new = "".join(f"{statement};" for statement in statements(f"NEW.{column}"))
        forward_pg += [
            f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {old}
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.{column} <> OLD.{column}) THEN
        {new}
    END IF;
    RETURN NULL;
END
$$;
""",
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}();",
        ]
        backward_pg += [f"DROP TRIGGER {name} ON {table};", f"DROP FUNCTION {name}();"]
        # SQLite: an UPDATE runs them for the old and the new row (the same one, twice, unless
        # the column changed).
        for event, body in (("insert", new), ("update", old + " " + new), ("delete", old)):
            forward_lite.append(
                f"CREATE TRIGGER {name}_{event} AFTER {event.upper()} ON {table} BEGIN {body} END;"
            )
            backward_lite.append(f"DROP TRIGGER {name}_{event};")
    return by_vendor(
        {"postgresql": forward_pg, "sqlite": forward_lite},
        {"postgresql": backward_pg, "sqlite": backward_lite},
    )
