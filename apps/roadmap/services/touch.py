"""The one bump of a roadmap's `content_version`, which keys its caches and ETags."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from apps.roadmap.models import Roadmap


def roadmap_touch(*, roadmap: Roadmap) -> None:
    """Bump `content_version`: call in the same transaction as any public content change."""
    now = timezone.now()
    Roadmap.objects.filter(pk=roadmap.pk).update(
        content_version=F("content_version") + 1, updated_at=now
    )
    roadmap.refresh_from_db(fields=["content_version", "updated_at"])
