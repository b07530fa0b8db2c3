"""Triggers that notify the channel `roadmap_versions` (apps.roadmap.version_feed) at commit
whenever a version that keys the cached pages or trees changes: the pages' row, a roadmap's
content_version or slug, either table's rows deleted or truncated. PostgreSQL only: on any other
database the feed is not used and this migration does nothing."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION roadmap_pageversion_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('roadmap_versions', 'pages:' || OLD.id || '::');
    ELSE
        PERFORM pg_notify(
            'roadmap_versions',
            'pages:' || NEW.id || ':' || NEW.version || ':' || NEW.community_version
        );
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER roadmap_pageversion_notify
    AFTER INSERT OR DELETE OR UPDATE OF version, community_version ON roadmap_pageversion
    FOR EACH ROW EXECUTE FUNCTION roadmap_pageversion_notify();

CREATE FUNCTION roadmap_roadmap_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('roadmap_versions', 'roadmap:' || OLD.slug || ':');
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.slug <> NEW.slug THEN
            PERFORM pg_notify('roadmap_versions', 'roadmap:' || OLD.slug || ':');
        END IF;
    END IF;
    PERFORM pg_notify('roadmap_versions', 'roadmap:' || NEW.slug || ':' || NEW.content_version);
    RETURN NULL;
END
$$;
CREATE TRIGGER roadmap_roadmap_notify
    AFTER INSERT OR DELETE OR UPDATE OF content_version, slug ON roadmap_roadmap
    FOR EACH ROW EXECUTE FUNCTION roadmap_roadmap_notify();

CREATE FUNCTION roadmap_versions_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('roadmap_versions', 'reset');
    RETURN NULL;
END
$$;
CREATE TRIGGER roadmap_pageversion_reset AFTER TRUNCATE ON roadmap_pageversion
    FOR EACH STATEMENT EXECUTE FUNCTION roadmap_versions_reset();
CREATE TRIGGER roadmap_roadmap_reset AFTER TRUNCATE ON roadmap_roadmap
    FOR EACH STATEMENT EXECUTE FUNCTION roadmap_versions_reset();
"""

BACKWARD = """
DROP TRIGGER roadmap_roadmap_reset ON roadmap_roadmap;
DROP TRIGGER roadmap_pageversion_reset ON roadmap_pageversion;
DROP FUNCTION roadmap_versions_reset();
DROP TRIGGER roadmap_roadmap_notify ON roadmap_roadmap;
DROP FUNCTION roadmap_roadmap_notify();
DROP TRIGGER roadmap_pageversion_notify ON roadmap_pageversion;
DROP FUNCTION roadmap_pageversion_notify();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0008_page_version_community"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
