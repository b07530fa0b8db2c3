"""Roadmap content for tests: the seed as `make run` loads it, and synthetic content."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from apps.roadmap.api import forget_local_trees
from apps.roadmap.enrichment import parse_enrichment
from apps.roadmap.management.synthetic import roadmap_seed_synthetic
from apps.roadmap.models import Roadmap
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_enrich, roadmap_import

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED_README = FIXTURES / "ml-engineer-roadmap.md"
SEED_ENRICHMENT = FIXTURES / "ml-engineer-enrichment.json"


def load_seed() -> Roadmap:
    roadmap_import(text=decode_readme(SEED_README.read_bytes()), slug="ml-engineer")
    roadmap_enrich(enrichment=parse_enrichment(SEED_ENRICHMENT.read_text(encoding="utf-8")))
    return Roadmap.objects.get(slug="ml-engineer")


@pytest.fixture(autouse=True)
def no_local_trees():
    """Each test starts with no tree in this process's own copy (the shared cache is fresh
    per test: see own_cache_keys in tests/conftest.py)."""
    forget_local_trees()
    yield
    forget_local_trees()


@pytest.fixture
def seed(db) -> Roadmap:
    """The ML Engineer Roadmap imported from its README, then enriched (as `make run` does)."""
    return load_seed()


@pytest.fixture
def synthetic(db) -> Roadmap:
    """A roadmap ten times the seed's size (`manage.py seed_synthetic --scale 10`)."""
    return roadmap_seed_synthetic(scale=10, slug="synthetic")


@pytest.fixture
def api() -> APIClient:
    return APIClient()
