"""Re-normalise stored `normalized_url` values after the normal form learned dot segments
(`/./x`, `/a/../x`) and runs of slashes (`//x`). A row whose new value another resource of
the same roadmap already has keeps its old value, so no duplicate is made; a moderator merges
such pairs. `source_key` is left alone: the import files name their keys."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from apps.roadmap.url_normalization import URLProblem, normalize_url


def renormalize(apps: Any, schema_editor: Any) -> None:
    resource = apps.get_model("roadmap", "Resource")
    rows = resource.objects.exclude(normalized_url="").order_by("pk")
    taken = set(rows.values_list("roadmap_id", "normalized_url"))
    for pk, roadmap_id, stored in rows.values_list("pk", "roadmap_id", "normalized_url"):
        try:
            new = normalize_url(stored)
        except URLProblem:
            continue
        if new == stored or (roadmap_id, new) in taken:
            continue
        resource.objects.filter(pk=pk).update(normalized_url=new)
        taken.discard((roadmap_id, stored))
        taken.add((roadmap_id, new))


class Migration(migrations.Migration):
    dependencies = [("roadmap", "0002_resource_review")]

    operations = [migrations.RunPython(renormalize, migrations.RunPython.noop, elidable=True)]
