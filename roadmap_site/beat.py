"""Celery beat with a lock: any number of beats may run, one schedule is in force.

`celery -A roadmap_site beat` uses `LockedScheduler` (CELERY_BEAT_SCHEDULER). On every tick a
beat first makes sure it holds a lock in Redis (BEAT_LOCK_KEY): a key whose value is this
beat's token, set with NX and a lease of BEAT_LOCK_SECONDS. The holder renews the lease on each
tick (compare-and-renew in Lua: only the token's owner renews) and sends what is due; it wakes
at least three times a lease, so the lease never runs out while it lives. Any other beat stands
by: it sends nothing and tries again every third of a lease. When the holder dies (a crash,
SIGKILL, a lost host) its lease runs out and a standby takes the lock within BEAT_LOCK_SECONDS
and a third. A holder that stops (SIGTERM) gives the lock back at once.

The lock makes a second schedule rare, not impossible (a holder frozen past its lease and
woken after a standby took over may send one tick's tasks): the tasks stay safe to run twice
(the Monday email's row per learner and week, link checks' claims, the outbox's row locks).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Any

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

# KEYS[1] the lock, ARGV[1] the holder's token, ARGV[2] the lease in milliseconds.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class BeatLock:
    """A lease in Redis that only the holder of `token` may renew or release."""

    def __init__(self, client: redis.Redis, key: str, lease_seconds: float, token: str) -> None:
        self.client = client
        self.key = key
        self.lease_ms = int(lease_seconds * 1000)
        self.token = token
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def hold(self) -> bool:
        """Renew the lease if this token holds it, else take it if it is free; True when held."""
        if self._renew(keys=[self.key], args=[self.token, self.lease_ms]):
            return True
        return bool(self.client.set(self.key, self.token, nx=True, px=self.lease_ms))

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def release(self) -> bool:
        return bool(self._release(keys=[self.key], args=[self.token]))


def beat_token() -> str:
    """Who holds the lock, as the logs and `redis-cli get` show it: host, process, a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LockedScheduler(PersistentScheduler):
    """The default (file-backed) scheduler, ticking only while it holds the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        lease = settings.BEAT_LOCK_SECONDS
        self.lock_check_every = lease / 3
        url = settings.REDIS_URL or settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            raise RuntimeError("beat takes its lock in Redis: set REDIS_URL")
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        self.lock = BeatLock(client, settings.BEAT_LOCK_KEY, lease, beat_token())
        self.holding = False
        self._standby_logged_for: str | None = None
        super().__init__(*args, **kwargs)

    def _hold(self) -> bool:
        try:
            held = self.lock.hold()
        except redis.RedisError as error:
            # Without Redis nobody can tell who holds the lock: send nothing until it answers
            # (the broker is Redis too, so nothing could be sent anyway).
            if self.holding:
                logger.warning("beat lock lost: Redis does not answer (%s); standby", error)
            self.holding = False
            return False
        if held and not self.holding:
            logger.info("beat lock held by %s (this beat): sending the schedule", self.lock.token)
            self._standby_logged_for = None
        elif not held:
            if self.holding:
                logger.warning("beat lock lost by %s: standby", self.lock.token)
            holder = self._holder()
            if holder != self._standby_logged_for:
                logger.info(
                    "standby: beat lock held by %s; this beat (%s) sends nothing",
                    holder,
                    self.lock.token,
                )
                self._standby_logged_for = holder
        self.holding = held
        return held

    def _holder(self) -> str | None:
        try:
            return self.lock.holder()
        except redis.RedisError:
            return None

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self._hold():
            return self.lock_check_every
        return min(super().tick(*args, **kwargs), self.lock_check_every)

    def close(self) -> None:
        super().close()
        if self.holding:
            try:
                if self.lock.release():
                    logger.info("beat lock released by %s", self.lock.token)
            except redis.RedisError:
                pass  # the lease runs out by itself
            self.holding = False
