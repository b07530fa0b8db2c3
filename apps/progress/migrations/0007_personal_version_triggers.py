"""Triggers that move a learner's personal version (accounts.PersonalVersion, made if missing)
on every write to their enrolments, progress rows, check-ins and resource ticks, by whatever
path: what the signed-in pages show of them is kept under it (roadmap_site/page_layer.py).
One bump per row written (an UPDATE that moves a row to another user bumps both), in the
writer's transaction, so it commits with the row. TRUNCATE is not covered: no path of the site
truncates these tables (tests flush every table at once)."""

from django.db import migrations

TABLES = (
    "progress_enrollment",
    "progress_topicprogress",
    "progress_weeklycheckin",
    "progress_resourcetick",
)


def _bump(user: str) -> str:
    return (
        "INSERT INTO accounts_personalversion (user_id, version) "  # noqa: S608 (a column name)
        f"VALUES ({user}, 1) ON CONFLICT (user_id) "
        "DO UPDATE SET version = accounts_personalversion.version + 1"
    )


POSTGRESQL_FORWARD = [
    f"""
CREATE FUNCTION progress_personal_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_bump("OLD.user_id")};
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
        {_bump("NEW.user_id")};
    END IF;
    RETURN NULL;
END
$$;
""",
    *(
        f"CREATE TRIGGER {table}_bumps_personal AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION progress_personal_written();"
        for table in TABLES
    ),
]
POSTGRESQL_BACKWARD = [
    *(f"DROP TRIGGER {table}_bumps_personal ON {table};" for table in TABLES),
    "DROP FUNCTION progress_personal_written();",
]
# SQLite: a trigger per event; an UPDATE bumps the old and the new user (the same one, twice,
# unless the row moved).
SQLITE_EVENTS = {
    "insert": [_bump("NEW.user_id")],
    "update": [_bump("OLD.user_id"), _bump("NEW.user_id")],
    "delete": [_bump("OLD.user_id")],
}
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_bumps_personal_{event} AFTER {event.upper()} ON {table} "
    f"BEGIN {' '.join(f'{statement};' for statement in statements)} END;"
    for table in TABLES
    for event, statements in SQLITE_EVENTS.items()
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER {table}_bumps_personal_{event};" for table in TABLES for event in SQLITE_EVENTS
]


def _run(postgresql: list[str], sqlite: list[str]):
    def run(apps, schema_editor) -> None:
        statements = {"postgresql": postgresql, "sqlite": sqlite}.get(
            schema_editor.connection.vendor, []
        )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_personal_version"),
        ("progress", "0006_topicprogress_revision_done"),
    ]

    operations = [
        migrations.RunPython(
            _run(POSTGRESQL_FORWARD, SQLITE_FORWARD), _run(POSTGRESQL_BACKWARD, SQLITE_BACKWARD)
        ),
    ]
