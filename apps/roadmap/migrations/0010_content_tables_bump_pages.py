"""Triggers that move the pages' content version (`roadmap_pageversion.version`) whenever a row
of the topics, phases or sections is written, by whatever path: a service that forgot
`pages_touch`, an admin's bulk action, a `QuerySet.update`, a script. What is kept per content
version (the topics a learner's plan is reckoned over, roadmap_site/page_layer.py) is then
never older than the tables. The row is made if it is missing (a flushed database has none).

PostgreSQL: one bump per statement (a bulk import's batch is one), in the writer's
transaction, so it commits with the rows; `roadmap_pageversion_notify` (0009) then tells every
process. SQLite: one bump per row (SQLite has no statement triggers). TRUNCATE is not covered:
no path of the site truncates these tables (tests flush every table at once).
"""

from django.db import migrations

from roadmap_site.database_triggers import by_vendor

TABLES = ("roadmap_topic", "roadmap_phase", "roadmap_section")

BUMP = (
    "INSERT INTO roadmap_pageversion (id, version, community_version) VALUES (1, 2, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = roadmap_pageversion.version + 1"
)

POSTGRESQL_FORWARD = [
    f"""
CREATE FUNCTION roadmap_content_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {BUMP};
    RETURN NULL;
END
$$;
""",
    *(
        f"CREATE TRIGGER {table}_bumps_pages AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION roadmap_content_written();"
        for table in TABLES
    ),
]
POSTGRESQL_BACKWARD = [
    *(f"DROP TRIGGER {table}_bumps_pages ON {table};" for table in TABLES),
    "DROP FUNCTION roadmap_content_written();",
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_bumps_pages_{event.lower()} AFTER {event} ON {table} "
    f"BEGIN {BUMP}; END;"
    for table in TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER {table}_bumps_pages_{event.lower()};"
    for table in TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0009_version_notify"),
    ]

    operations = [
        by_vendor(
            {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD},
            {"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD},
        ),
    ]
