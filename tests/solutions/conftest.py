"""The solutions tests' own fixtures: a project with the roadmap's fraud-detection wording, and
the fake forge on loopback (every test that reads a repository starts it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.linkcheck_server import LoopbackServers
from tests.factories import ProjectFactory
from tests.support.fake_forge import FakeForge

FRAUD = (
    "Deploy a model with FastAPI, Docker, and Redis for streaming data, e.g., detecting "
    "fraudulent transactions in real-time."
)


@pytest.fixture(autouse=True)
def no_real_forge(settings) -> None:
    """Nothing reaches a real forge: unless a test starts the fake, the forges are `.invalid`."""
    settings.SOLUTIONS_GITHUB_API_URL = "http://forge.invalid"
    settings.SOLUTIONS_GITHUB_RAW_URL = "http://forge.invalid/raw"
    settings.SOLUTIONS_GITLAB_URL = "http://forge.invalid"


@pytest.fixture
def project(roadmap, topic):
    item = ProjectFactory(
        roadmap=roadmap,
        slug="real-time-fraud-detection",
        title="Real-Time Fraud Detection",
        description_md=FRAUD,
        order=1,
    )
    item.topics.add(topic)
    return item


@pytest.fixture
def forge(settings) -> Iterator[FakeForge]:
    fake = FakeForge()
    with LoopbackServers(fake.site):
        fake.configure(settings)
        yield fake
