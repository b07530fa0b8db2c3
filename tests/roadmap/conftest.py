"""Roadmap tests: the seed and the synthetic roadmap come from tests/support/seed.py."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.roadmap.api import forget_local_trees


@pytest.fixture(autouse=True)
def no_local_trees():
    """Each test starts with no tree in this process's own copy (the shared cache is fresh
    per test: see own_cache_keys in tests/conftest.py)."""
    forget_local_trees()
    yield
    forget_local_trees()


@pytest.fixture
def api() -> APIClient:
    return APIClient()
