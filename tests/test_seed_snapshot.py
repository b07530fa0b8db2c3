"""The seed that tests get in bulk (tests/support/seed.py) is the seed the importer writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from apps.roadmap.models import Resource, Roadmap, Topic
from apps.search.models import SearchDocument
from tests.support.seed import SEED_SLUG, Snapshot, import_seed

# Keys and times differ between two imports (a history row's "id" is its topic's key);
# everything else must be the same.
_VARYING = (models.AutoField, models.BigAutoField, models.DateTimeField, models.ForeignKey)
# Keys held as plain numbers (the search index's rows name what they index by its key, and a
# resource's URL ends with "#resource-<key>").
_KEYS_AS_VALUES: dict[type[models.Model], tuple[str, ...]] = {
    SearchDocument: ("object_id", "roadmap_id", "topic_id", "url"),
}


def content(model: type[models.Model], rows: Any) -> list[str]:
    kept = [
        field.attname
        for field in model._meta.concrete_fields
        if not isinstance(field, _VARYING)
        and not field.primary_key
        and field.name != "id"
        and field.attname not in _KEYS_AS_VALUES.get(model, ())
    ]
    return sorted(repr([row[name] for name in kept]) for row in rows)


@pytest.mark.django_db
def test_the_seed_loaded_per_test_is_what_the_import_writes(seed_snapshot: Snapshot) -> None:
    import_seed()
    for model, rows in seed_snapshot.rows:
        fields = [field.attname for field in model._meta.concrete_fields]
        written = model._base_manager.values(*fields)
        assert content(model, rows) == content(model, written), model.__name__
    assert {model for model, _ in seed_snapshot.rows} >= {Roadmap, Topic, Resource}


@pytest.mark.django_db
def test_each_test_gets_its_own_copy(seed) -> None:
    assert Roadmap.objects.get(slug=SEED_SLUG) == seed
    Resource.objects.filter(roadmap=seed).delete()
    Topic.objects.filter(roadmap=seed).delete()
    assert not Topic.objects.exists()


@pytest.mark.django_db
def test_and_the_next_one_too(seed, seed_snapshot: Snapshot) -> None:
    """Runs after the test that deleted its copy's topics (when both run in one process)."""
    topics = next(rows for model, rows in seed_snapshot.rows if model is Topic)
    assert Topic.objects.filter(roadmap=seed).count() == len(topics) > 30
    Topic.objects.create(roadmap=seed, section=seed.sections.first(), slug="new", order=999)
