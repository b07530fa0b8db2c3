"""The fixtures every app's tests share (a plugin of the root conftest): the personas and a
small roadmap. Made by tests/factories.py; a test folder's conftest adds only what is its own.

Personas:
- `owner`: a learner who owns what the test is about ("owner", shown as "Owner Example").
- `outsider`: another signed-up user, who owns none of it ("outsider", shown as "Olive",
  olive@mail.example).
- `moderator`: a moderator ("maud", shown as "Maud").
- `submitter`: a learner who submits resources ("sam", shown as "Sam").
- `learner`: a learner on the roadmap ("ada", shown as "Ada").

Content: `roadmap` (empty, slug "ml-engineer"), `phase` (weeks 1-4), `topic` ("testing", in
section "basics" and that phase, 4 hours). The imported seed is in tests/support/seed.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import PhaseFactory, RoadmapFactory, SectionFactory, TopicFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# -- personas


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", display_name="Olive", email="olive@mail.example")


@pytest.fixture
def moderator(db):
    return UserFactory(username="maud", display_name="Maud", moderator=True)


@pytest.fixture
def submitter(db):
    return UserFactory(username="sam", display_name="Sam")


@pytest.fixture
def learner(db):
    return UserFactory(username="ada", display_name="Ada")


# -- a small roadmap


@pytest.fixture
def roadmap(db):
    return RoadmapFactory(slug="ml-engineer", title="ML Engineer Roadmap")


@pytest.fixture
def phase(roadmap):
    return PhaseFactory(
        roadmap=roadmap, number=1, slug="foundations", title="Foundations", week_start=1, week_end=4
    )


@pytest.fixture
def topic(roadmap, phase):
    section = SectionFactory(roadmap=roadmap, number=1, slug="basics", title="Basics")
    return TopicFactory(
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


# -- clients


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


# -- a learner's week

# A Sunday evening (UTC): the next day, or a time zone already in it, is a new week of a plan,
# so the date moving on shows on the pages a learner's week is drawn on.
SUNDAY_EVENING = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


@pytest.fixture
def sunday() -> Iterator[Any]:
    """Time stands at `SUNDAY_EVENING` (`shift` moves it)."""
    with time_machine.travel(SUNDAY_EVENING, tick=False) as traveller:
        yield traveller


def topics_in_order(roadmap) -> list[Any]:
    """The roadmap's active topics, section by section, in order."""
    from apps.roadmap.models import Topic

    return list(Topic.objects.active().filter(roadmap=roadmap).order_by("section__number", "order"))
