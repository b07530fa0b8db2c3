"""Moderation test setup: a small roadmap, a submitter, an outsider and a moderator."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.moderation.services.roles import moderator_add
from apps.roadmap.models import Phase, Resource, Roadmap, Section, Topic
from apps.roadmap.url_normalization import normalize_url
from tests.accounts.factories import UserFactory

_urls = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roadmap(db) -> Roadmap:
    return Roadmap.objects.create(slug="ml-engineer", title="ML Engineer Roadmap")


@pytest.fixture
def phase(roadmap) -> Phase:
    return Phase.objects.create(
        roadmap=roadmap, number=1, slug="foundations", title="Foundations", week_start=1, week_end=4
    )


@pytest.fixture
def topic(roadmap, phase) -> Topic:
    section = Section.objects.create(roadmap=roadmap, number=1, slug="basics", title="Basics")
    return Topic.objects.create(
        roadmap=roadmap,
        section=section,
        phase=phase,
        slug="testing",
        title="Testing",
        body_md="Tests catch bugs. They also document.",
        summary="Tests catch bugs.",
        key_points=["unit tests"],
        est_hours=4,
        order=1,
    )


@pytest.fixture
def submitter(db) -> User:
    return UserFactory(username="sam", email="sam@mail.example", display_name="Sam")


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(username="olive")


@pytest.fixture
def moderator(db) -> User:
    user = UserFactory(username="maud", email="maud@mail.example", display_name="Maud")
    moderator_add(user=user)
    return user


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def resource(
    roadmap: Roadmap,
    topic: Topic | None,
    *,
    status: str = Resource.Status.APPROVED,
    submitted_by: User | None = None,
    title: str = "",
    **extra,
) -> Resource:
    n = next(_urls)
    url = extra.pop("url", f"https://docs.example/page-{n}")
    return Resource.objects.create(
        roadmap=roadmap,
        topic=topic,
        url=url,
        normalized_url=normalize_url(url),
        title=title or f"Resource {n}",
        kind=extra.pop("kind", "docs"),
        status=status,
        origin=Resource.Origin.COMMUNITY if submitted_by else Resource.Origin.ENRICHMENT,
        submitted_by=submitted_by,
        **extra,
    )


def pending(roadmap: Roadmap, topic: Topic | None, submitter: User, **extra) -> Resource:
    return resource(roadmap, topic, status=Resource.Status.PENDING, submitted_by=submitter, **extra)
