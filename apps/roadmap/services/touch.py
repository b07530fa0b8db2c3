"""The one bump of a roadmap's `content_version`, which keys its caches and ETags, and the two
bumps of the public pages' versions (content and community), which key the cached pages."""

from __future__ import annotations

from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.roadmap.models import PageVersion, Roadmap
from apps.roadmap.version_feed import feed
from roadmap_site.prepared import one_row

PAGE_VERSION_ROW = 1


def _bump(field: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(PageVersion._meta.db_table)} SET {quote(field)} = {quote(field)} + 1 "  # noqa: S608
            f"WHERE {quote('id')} = %s RETURNING {quote('version')}, {quote('community_version')}",
            [PAGE_VERSION_ROW],
        )
        row = cursor.fetchone()
    if row is None:
        # The row is made by the migration; a flushed test database has none.
        made, _ = PageVersion.objects.get_or_create(pk=PAGE_VERSION_ROW, defaults={field: 2})
        row = (made.version, made.community_version)
    feed.written(f"pages:{PAGE_VERSION_ROW}", (int(row[0]), int(row[1])))


def pages_touch() -> None:
    """Bump the public pages' content version: call in the same transaction as any change of
    content a public page shows (an edit, an approval, an import, a moderation log entry that
    changes content). Every cached page is keyed by it, so none rendered before is served again.
    """
    _bump("version")


def community_touch() -> None:
    """Bump the public pages' community version: call in the same transaction as a change
    that only the pages showing votes, link health or the public log show (a vote, a link's
    health or access, a log entry that changes no content). The other pages stay cached."""
    _bump("community_version")


def pages_versions() -> tuple[int, int]:
    """The pages' (content, community) versions as pushed to this process (no query), or else
    in one indexed lookup by primary key, written as plain SQL because it runs before every
    page the cache serves."""
    pushed = feed.pages(PAGE_VERSION_ROW)
    if pushed is not None:
        return pushed
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('version')}, {quote('community_version')} "  # noqa: S608
        f"FROM {quote(PageVersion._meta.db_table)} WHERE {quote('id')} = %s"
    )
    row = one_row(sql, [PAGE_VERSION_ROW])
    return (int(row[0]), int(row[1])) if row else (1, 1)


def pages_version() -> int:
    """One number that moves with either version (their sum: both only grow), for a key that
    must change with anything a public page shows."""
    content, community = pages_versions()
    return content + community


def roadmap_touch(*, roadmap: Roadmap, community: bool = False) -> None:
    """Bump `content_version`: call in the same transaction as any public change of the
    roadmap. With `community` (a link's health or access) the pages' community version moves
    instead of their content version: only the pages that show it are rendered again."""
    now = timezone.now()
    Roadmap.objects.filter(pk=roadmap.pk).update(
        content_version=F("content_version") + 1, updated_at=now
    )
    roadmap.refresh_from_db(fields=["content_version", "updated_at"])
    feed.written(f"roadmap:{roadmap.slug}", (roadmap.content_version,))
    if community:
        community_touch()
    else:
        pages_touch()
