"""Helpers for the showcase tests: solutions of a project, evidence, accounts old enough to like."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.accounts.models import User
from apps.roadmap.models import Project
from apps.solutions.models import Evidence, Solution
from tests.factories import UserFactory

_repo = itertools.count(1)


def make_solution(learner: User, project: Project, **extra: Any) -> Solution:
    n = next(_repo)
    fields: dict[str, Any] = {
        "repository_url": f"https://github.example/{learner.username}/solution-{n}",
        "forge": Solution.Forge.GITHUB,
        "repository_path": f"{learner.username}/solution-{n}",
        "write_up_md": "A **short** write-up.",
    }
    fields.update(extra)
    return Solution.objects.create(learner=learner, project=project, **fields)


def with_evidence(solution: Solution, *kinds: str) -> Solution:
    Evidence.objects.bulk_create(
        [Evidence(solution=solution, kind=kind, present=True, path=kind) for kind in kinds]
    )
    return solution


def old_user(**extra: Any) -> User:
    """An account older than the like rule's age."""
    user = UserFactory(**extra)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    user.refresh_from_db()
    return user
