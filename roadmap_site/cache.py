"""A Redis cache that degrades to no cache while Redis is unreachable or hangs.

Django's RedisCache raises when Redis is down, which would turn every cached page, every rate
limit check and every cached API answer into a 500. Here a read misses, a write is dropped and
a counter answers as if fresh, and a warning is logged (at most once a minute per process).
Rate limits therefore fail open while Redis is down: the site stays up rather than locking
everyone out.

Every call has a socket timeout (settings: CACHES OPTIONS), and after one failure the cache is
skipped for OUTAGE_SKIP_SECONDS (roadmap_site.circuit), then one call probes it: a Redis that
accepts connections but never answers costs one timeout per pause, not one per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from roadmap_site.circuit import Circuit, circuit_for

logger = logging.getLogger(__name__)
_WARN_EVERY = 60.0
T = TypeVar("T")


def _with_timeout(timeout: Any) -> dict[str, Any]:
    # Ellipsis stands for "not given": the backend's default timeout applies.
    return {} if timeout is Ellipsis else {"timeout": timeout}


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.circuit: Circuit = circuit_for(f"cache {server}")

    def _down(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= _WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable during %s, serving without it: %s", operation, error)

    def _call(self, operation: str, fallback: T, call: Callable[[], T]) -> T:
        circuit = self.circuit
        if not circuit.allows():
            return fallback
        try:
            value = call()
        except RedisError as error:
            circuit.failed()
            self._down(operation, error)
            return fallback
        circuit.succeeded()
        return value

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", default, lambda: RedisCache.get(self, key, default, version))

    def get_many(self, keys, version: int | None = None) -> dict:
        return self._call("get_many", {}, lambda: RedisCache.get_many(self, keys, version))

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._call("has_key", False, lambda: RedisCache.has_key(self, key, version))

    def set(self, key, value, timeout=Ellipsis, version=None) -> None:
        self._call(
            "set",
            None,
            lambda: RedisCache.set(self, key, value, version=version, **_with_timeout(timeout)),
        )

    def set_many(self, data, timeout=Ellipsis, version=None) -> list:
        return self._call(
            "set_many",
            list(data),
            lambda: RedisCache.set_many(self, data, version=version, **_with_timeout(timeout)),
        )

    def add(self, key, value, timeout=Ellipsis, version=None) -> bool:
        return self._call(
            "add",
            True,
            lambda: RedisCache.add(self, key, value, version=version, **_with_timeout(timeout)),
        )

    def touch(self, key, timeout=Ellipsis, version=None) -> bool:
        return self._call(
            "touch",
            False,
            lambda: RedisCache.touch(self, key, version=version, **_with_timeout(timeout)),
        )

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._call("delete", False, lambda: RedisCache.delete(self, key, version))

    def delete_many(self, keys, version: int | None = None) -> None:
        self._call("delete_many", None, lambda: RedisCache.delete_many(self, keys, version))

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self._call("incr", delta, lambda: RedisCache.incr(self, key, delta, version))

    def clear(self) -> None:
        self._call("clear", None, lambda: RedisCache.clear(self))
