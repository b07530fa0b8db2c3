"""Tests leave no keys in Redis (a plugin of the root conftest).

Under REDIS_URL the run notes the keys of its Redis database when it starts and, when it ends,
fails if there are keys that were not there before: whatever a test wrote (cache entries under
its own key prefix, rate limits, throttles, Celery's queues, bindings and results, locks) it
must delete. The keys it finds are listed, then deleted, so that the next run starts clean.

Only the controlling process checks (under pytest-xdist the workers share the database and
end at different times). Use a Redis database of the run's own (REDIS_URL=redis://.../<n>):
keys another program writes there meanwhile would count as the run's.
"""

from __future__ import annotations

import os

import pytest

_STASH = pytest.StashKey[set[bytes]]()


def _client():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def _keys(client) -> set[bytes]:
    return set(client.scan_iter(count=1000))


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    client = _client()
    if client is None or not _is_controller(session.config):
        return
    session.config.stash[_STASH] = _keys(client)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_STASH, None)
    client = _client()
    if before is None or client is None:
        return
    left = sorted(_keys(client) - before)
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"the tests left {len(left)} key(s) in Redis (now deleted):"]
    lines += [f"  {key.decode(errors='replace')}" for key in left[:50]]
    if len(left) > 50:
        lines.append(f"  ... and {len(left) - 50} more")
    if reporter is not None:
        reporter.write_sep("=", "Redis keys left behind", red=True)
        for line in lines:
            reporter.write_line(line)
    client.delete(*left)
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
