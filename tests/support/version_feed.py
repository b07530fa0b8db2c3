"""The version feed's listening connection is closed after each test (a plugin of the root
conftest).

On PostgreSQL a test that reads the versions outside a transaction (a transactional test, a
live server's thread) opens the feed's own connection to the test database
(apps.roadmap.version_feed). Closed after the test, it starts the next one from the database's
values, and it does not keep the test database open when the run drops it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _close_version_feed() -> Iterator[None]:
    yield
    from apps.roadmap.version_feed import feed

    feed.close()
