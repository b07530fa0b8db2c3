"""A trigger that moves the learner's personal version (accounts.PersonalVersion, made if
missing) on every write to their solutions, by whatever path (the demo checks write without a
version of their own): the dashboard shows their goal project's solution and is kept under it
(roadmap_site/dashboard_layer.py). One bump per row, as progress migration 0007 does."""

from django.db import migrations


def _bump(user: str) -> str:
    return (
        "INSERT INTO accounts_personalversion (user_id, version) "  # noqa: S608 (a column name)
        f"VALUES ({user}, 1) ON CONFLICT (user_id) "
        "DO UPDATE SET version = accounts_personalversion.version + 1"
    )


POSTGRESQL_FORWARD = [
    f"""
CREATE FUNCTION solutions_personal_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_bump("OLD.learner_id")};
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.learner_id <> OLD.learner_id) THEN
        {_bump("NEW.learner_id")};
    END IF;
    RETURN NULL;
END
$$;
""",
    "CREATE TRIGGER solutions_solution_bumps_personal "
    "AFTER INSERT OR UPDATE OR DELETE ON solutions_solution "
    "FOR EACH ROW EXECUTE FUNCTION solutions_personal_written();",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER solutions_solution_bumps_personal ON solutions_solution;",
    "DROP FUNCTION solutions_personal_written();",
]
SQLITE_EVENTS = {
    "insert": [_bump("NEW.learner_id")],
    "update": [_bump("OLD.learner_id"), _bump("NEW.learner_id")],
    "delete": [_bump("OLD.learner_id")],
}
SQLITE_FORWARD = [
    f"CREATE TRIGGER solutions_solution_bumps_personal_{event} AFTER {event.upper()} "
    f"ON solutions_solution BEGIN {' '.join(f'{statement};' for statement in statements)} END;"
    for event, statements in SQLITE_EVENTS.items()
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER solutions_solution_bumps_personal_{event};" for event in SQLITE_EVENTS
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
        ("solutions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run(POSTGRESQL_FORWARD, SQLITE_FORWARD), _run(POSTGRESQL_BACKWARD, SQLITE_BACKWARD)
        ),
    ]
