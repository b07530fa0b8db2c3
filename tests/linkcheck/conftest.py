"""Loopback test servers for the link checker's tests.

Every server listens on 127.0.0.x or ::1 (the network rule in the architecture doc); names
other than loopback ones reach no DNS, only the resolver a test injects. The checker as the
tests drive it (FAST, LOOPBACK, check, check_one) is in tests/support/linkcheck.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bench.linkcheck_server import LoopbackServers, Site


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
