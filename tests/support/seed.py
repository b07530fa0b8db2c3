"""The seed roadmap for tests, imported once per test session and loaded per test in bulk.

Importing the README (and the enrichment) goes through the whole importer: parsing, a
three-way merge per row, history rows. Doing that for every test that needs the seed cost
most of the suite's time. Instead, the first test of a session (of each xdist worker: each has
its own database) that asks for a content fixture builds it once in its clean database, inside
a transaction that is rolled back, and keeps the rows it wrote as plain values (a `Snapshot`).
Every test then gets the same rows back with a few bulk INSERTs, inside its own transaction
(or flushed after it, for transactional tests), so tests stay isolated from each other.

The fixtures (plugin of the root conftest):
- `seed`: the ML Engineer Roadmap from fixtures/ml-engineer-roadmap.md plus the enrichment,
  as `make seed` loads it (slug "ml-engineer").
- `readme_roadmap`: the README alone, without the enrichment (slug "ml-engineer").
- `synthetic`: a roadmap ten times the seed's size (`manage.py seed_synthetic --scale 10`).

Tests of the importer itself call `import_seed()` (the real import, every time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED_README = FIXTURES / "ml-engineer-roadmap.md"
SEED_ENRICHMENT = FIXTURES / "ml-engineer-enrichment.json"
SEED_SLUG = "ml-engineer"


def seed_text() -> str:
    """The seed README as the importer reads it."""
    from apps.roadmap.readme_parser import decode_readme

    return decode_readme(SEED_README.read_bytes())


def import_readme(slug: str = SEED_SLUG):
    """Import the seed README through the service (no enrichment); returns the Roadmap."""
    from apps.roadmap.services import roadmap_import

    return roadmap_import(text=seed_text(), slug=slug).roadmap


def import_seed():
    """The seed as `make seed` loads it, through the services: README, then enrichment."""
    from apps.roadmap.enrichment import parse_enrichment
    from apps.roadmap.models import Roadmap
    from apps.roadmap.services import roadmap_enrich

    import_readme()
    roadmap_enrich(enrichment=parse_enrichment(SEED_ENRICHMENT.read_text(encoding="utf-8")))
    return Roadmap.objects.get(slug=SEED_SLUG)


def build_synthetic():
    from apps.roadmap.management.synthetic import roadmap_seed_synthetic

    return roadmap_seed_synthetic(scale=10, slug="synthetic")


# -- snapshots: the rows a build wrote, and how to write them again


def _tables() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _dependency_order(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """Parents before children (foreign keys among the found tables), so that inserts in
    autocommit mode (transactional tests) never point at a row not there yet."""
    remaining = list(found)
    ordered: list[type[models.Model]] = []
    while remaining:
        for model in remaining:
            parents = {
                field.related_model
                for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is not model
            }
            if not parents & set(remaining):
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle: Postgres and SQLite check deferred constraints at commit anyway
            ordered.extend(remaining)
            break
    return ordered


@dataclass(frozen=True)
class Snapshot:
    """The rows a build wrote, per table, as field values (never shared model instances)."""

    rows: tuple[tuple[type[models.Model], tuple[dict[str, Any], ...]], ...]

    @classmethod
    def take(cls, build: Callable[[], object]) -> Snapshot:
        """Run `build` in a transaction that is rolled back; keep the rows it added."""
        tables = _tables()
        captured: list[tuple[type[models.Model], tuple[dict[str, Any], ...]]] = []

        class _RollBack(Exception):
            pass

        try:
            with transaction.atomic():
                before = {
                    model: set(model._base_manager.values_list("pk", flat=True)) for model in tables
                }
                build()
                for model in _dependency_order(tables):
                    fields = [field.attname for field in model._meta.concrete_fields]
                    added = tuple(
                        row
                        for row in model._base_manager.order_by("pk").values(*fields)
                        if row[model._meta.pk.attname] not in before[model]
                    )
                    if added:
                        captured.append((model, added))
                raise _RollBack
        except _RollBack:
            pass
        snapshot = cls(rows=tuple(captured))
        snapshot._keep_keys_taken()
        return snapshot

    def _keep_keys_taken(self) -> None:
        """Rows created later must not take the snapshot's primary keys (a second snapshot
        loaded beside it, or a test's own rows). Postgres sequences ignore the rollback;
        SQLite's AUTOINCREMENT counters (sqlite_sequence) roll back with it, so move them on."""
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            for model, rows in self.rows:
                table, pk = model._meta.db_table, model._meta.pk.attname
                top = max(row[pk] for row in rows)
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [top, table]
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top]
                    )

    def load(self) -> None:
        """Write the rows again, with their primary keys, and move the sequences past them."""
        for model, rows in self.rows:
            model._base_manager.bulk_create([model(**row) for row in rows], batch_size=500)
        statements = connection.ops.sequence_reset_sql(
            no_style(), [model for model, _ in self.rows]
        )
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def _snapshot(django_db_blocker, build: Callable[[], object]) -> Snapshot:
    from apps.roadmap.models import Roadmap

    with django_db_blocker.unblock():
        if Roadmap.objects.exists():  # a test left content behind: the rows would be wrong
            raise RuntimeError("the test database is not empty before taking a content snapshot")
        return Snapshot.take(build)


# Session-scoped: pytest sets these up before any function-scoped fixture of the first test
# that needs them, so they run in a clean database, outside that test's transaction.


@pytest.fixture(scope="session")
def readme_snapshot(django_db_setup, django_db_blocker) -> Snapshot:
    return _snapshot(django_db_blocker, import_readme)


@pytest.fixture(scope="session")
def seed_snapshot(django_db_setup, django_db_blocker) -> Snapshot:
    return _snapshot(django_db_blocker, import_seed)


@pytest.fixture(scope="session")
def synthetic_snapshot(django_db_setup, django_db_blocker) -> Snapshot:
    return _snapshot(django_db_blocker, build_synthetic)


def _loaded(snapshot: Snapshot, slug: str):
    from apps.roadmap.api import forget_local_trees
    from apps.roadmap.models import Roadmap

    snapshot.load()
    forget_local_trees()
    return Roadmap.objects.get(slug=slug)


# `db` is enough for both kinds of test: pytest-django makes it transactional when the test
# asks for `transactional_db` or `live_server` (browser tests), which flush the rows afterwards.


@pytest.fixture
def seed(db, seed_snapshot: Snapshot) -> Any:
    """The ML Engineer Roadmap imported from its README, then enriched (as `make seed` does)."""
    return _loaded(seed_snapshot, SEED_SLUG)


@pytest.fixture
def readme_roadmap(db, readme_snapshot: Snapshot) -> Any:
    """The seed README alone, imported (no enrichment)."""
    return _loaded(readme_snapshot, SEED_SLUG)


@pytest.fixture
def synthetic(db, synthetic_snapshot: Snapshot) -> Any:
    """A roadmap ten times the seed's size (`manage.py seed_synthetic --scale 10`)."""
    return _loaded(synthetic_snapshot, "synthetic")
