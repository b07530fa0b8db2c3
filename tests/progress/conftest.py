from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_import

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "ml-engineer-roadmap.md"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roadmap(db):
    return roadmap_import(text=decode_readme(SEED.read_bytes()), slug="ml-engineer").roadmap


@pytest.fixture
def learner(db) -> User:
    return User.objects.create_user("ada", "ada@example.invalid", "pw-4-tests-only")


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user("bob", "bob@example.invalid", "pw-4-tests-only")


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
