"""Loopback test servers and a fast checker for the link checker's tests.

Every server listens on 127.0.0.x or ::1 (the network rule in the architecture doc); names
other than loopback ones reach no DNS, only the resolver a test injects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from apps.linkcheck.checker import CheckerConfig, LinkChecker, LinkResult
from apps.linkcheck.guard import Guard
from bench.linkcheck_server import LoopbackServers, Site

# Short timeouts and backoff so the suite stays fast; politeness tests set their own gaps.
FAST = CheckerConfig(
    host_gap=0.0,
    backoff=0.02,
    connect_timeout=1.0,
    read_timeout=0.3,
    check_timeout=1.5,
    retry_after_cap=5.0,
)
LOOPBACK = Guard(allow_private=True)


def check(
    urls: list[str],
    *,
    guard: Guard = LOOPBACK,
    config: CheckerConfig = FAST,
    **checker_options: object,
) -> list[LinkResult]:
    async def run() -> list[LinkResult]:
        async with LinkChecker(guard, config, **checker_options) as checker:
            return await checker.check_many(urls)

    return asyncio.run(run())


def check_one(url: str, **options: object) -> LinkResult:
    return check([url], **options)[0]


@pytest.fixture
def serve() -> Iterator[Callable[..., None]]:
    """Start sites for the rest of the test: `serve(site_a, site_b)`."""
    running: list[LoopbackServers] = []

    def start(*sites: Site) -> None:
        servers = LoopbackServers(*sites)
        servers.__enter__()
        running.append(servers)

    yield start
    for servers in running:
        servers.__exit__(None, None, None)


# -- link health (the database side): a small roadmap and the three personas


@pytest.fixture
def roadmap(db):
    from apps.roadmap.models import Roadmap

    return Roadmap.objects.create(slug="ml-engineer", title="ML Engineer Roadmap")


@pytest.fixture
def topic(roadmap):
    from apps.roadmap.models import Section, Topic

    section = Section.objects.create(roadmap=roadmap, number=1, slug="basics", title="Basics")
    return Topic.objects.create(
        roadmap=roadmap, section=section, slug="testing", title="Testing", order=1, est_hours=2
    )


@pytest.fixture
def moderator(db, settings):
    from apps.moderation.services.roles import moderator_add
    from tests.accounts.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(username="maud", email="maud@mail.example", display_name="Maud")
    moderator_add(user=user)
    return user


@pytest.fixture
def outsider(db, settings):
    from tests.accounts.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username="olive")
