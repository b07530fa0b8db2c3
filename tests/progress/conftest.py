"""Progress tests run on the seed README's roadmap (no enrichment), as a learner ("ada")."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def roadmap(readme_roadmap):
    """Here `roadmap` is the imported seed README (tests/support/seed.py), not the small one."""
    return readme_roadmap


@pytest.fixture
def owner_client(learner) -> APIClient:
    client = APIClient()
    client.force_login(learner)
    return client


@pytest.fixture
def outsider_client(outsider) -> APIClient:
    client = APIClient()
    client.force_login(outsider)
    return client
