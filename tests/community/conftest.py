from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.roles import MODERATORS_GROUP
from apps.roadmap.models import Resource, Roadmap, Section, Topic
from apps.roadmap.url_normalization import normalize_url


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roadmap(db) -> Roadmap:
    return Roadmap.objects.create(slug="ml-engineer", title="ML Engineer Roadmap")


@pytest.fixture
def topic(roadmap) -> Topic:
    section = Section.objects.create(roadmap=roadmap, number=1, slug="basics", title="Basics")
    return Topic.objects.create(
        roadmap=roadmap, section=section, slug="testing", title="Testing", order=1
    )


def make_user(name: str) -> User:
    return User.objects.create_user(name, f"{name}@example.invalid", "pw-4-tests-only")


@pytest.fixture
def owner(db) -> User:
    return make_user("owner")


@pytest.fixture
def outsider(db) -> User:
    return make_user("outsider")


@pytest.fixture
def moderator(db) -> User:
    user = make_user("mod")
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def approved(roadmap, topic, url="https://docs.example/page", submitted_by=None, **extra):
    return Resource.objects.create(
        roadmap=roadmap,
        topic=topic,
        url=url,
        normalized_url=normalize_url(url),
        title=extra.pop("title", "A good page"),
        kind=extra.pop("kind", "docs"),
        status=Resource.Status.APPROVED,
        origin=Resource.Origin.COMMUNITY if submitted_by else Resource.Origin.ENRICHMENT,
        submitted_by=submitted_by,
        **extra,
    )
