"""The one bump of a roadmap's `content_version`, which keys its caches and ETags, and the one
bump of the pages' version, which keys the cached public pages."""

from __future__ import annotations

from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.roadmap.models import PageVersion, Roadmap
from apps.roadmap.versions import one_row

PAGE_VERSION_ROW = 1


def pages_touch() -> None:
    """Bump the public pages' version: call in the same transaction as any change a public page
    shows (content, a vote, a link's health, a moderation log entry). Readers that rendered
    from the old state keyed their copy by the old version, so none of it is served again.
    """
    updated = PageVersion.objects.filter(pk=PAGE_VERSION_ROW).update(version=F("version") + 1)
    if not updated:
        # The row is made by the migration; a flushed test database has none.
        PageVersion.objects.get_or_create(pk=PAGE_VERSION_ROW, defaults={"version": 2})


def pages_version() -> int:
    """The public pages' version: one indexed lookup by primary key, written as plain SQL
    because it runs before every page the cache serves."""
    quote = connection.ops.quote_name
    sql = f"SELECT {quote('version')} FROM {quote(PageVersion._meta.db_table)} WHERE {quote('id')} = %s"  # noqa: S608, E501
    row = one_row(sql, [PAGE_VERSION_ROW])
    return int(row[0]) if row else 1


def roadmap_touch(*, roadmap: Roadmap) -> None:
    """Bump `content_version`: call in the same transaction as any public content change."""
    now = timezone.now()
    Roadmap.objects.filter(pk=roadmap.pk).update(
        content_version=F("content_version") + 1, updated_at=now
    )
    roadmap.refresh_from_db(fields=["content_version", "updated_at"])
    pages_touch()
