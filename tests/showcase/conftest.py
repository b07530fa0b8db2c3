"""The showcase tests' own fixtures: a project, an author's solution, a fan, a peer."""

from __future__ import annotations

import pytest

from apps.accounts.models import User
from apps.roadmap.models import Project, Roadmap
from apps.solutions.models import Solution
from tests.factories import ProjectFactory
from tests.support.showcase import make_solution, old_user


@pytest.fixture
def project(roadmap: Roadmap) -> Project:
    return ProjectFactory(roadmap=roadmap, slug="fraud-api", title="Fraud-detection API")


@pytest.fixture
def author(db) -> User:
    return old_user(username="alan", display_name="Alan")


@pytest.fixture
def solution(author: User, project: Project) -> Solution:
    return make_solution(author, project)


@pytest.fixture
def fan(db) -> User:
    return old_user(username="fran", display_name="Fran")


@pytest.fixture
def peer(project: Project) -> User:
    """Someone who finished the same project: their own solution of it is on the showcase."""
    user = old_user(username="petra", display_name="Petra")
    make_solution(user, project)
    return user
