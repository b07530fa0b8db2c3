"""A Redis cache that degrades to no cache while Redis is unreachable.

Django's RedisCache raises when Redis is down, which would turn every cached page, every rate
limit check and every cached API answer into a 500. Here a read misses, a write is dropped and
a counter answers as if fresh, and a warning is logged (at most once a minute per process).
Rate limits therefore fail open while Redis is down: the site stays up rather than locking
everyone out.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_WARN_EVERY = 60.0


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def _down(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning >= _WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable during %s, serving without it: %s", operation, error)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._down("get", error)
            return default

    def get_many(self, keys, version: int | None = None) -> dict:
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._down("get_many", error)
            return {}

    def has_key(self, key: str, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._down("has_key", error)
            return False

    def set(self, key, value, timeout=Ellipsis, version=None) -> None:
        try:
            if timeout is Ellipsis:
                super().set(key, value, version=version)
            else:
                super().set(key, value, timeout, version)
        except RedisError as error:
            self._down("set", error)

    def set_many(self, data, timeout=Ellipsis, version=None) -> list:
        try:
            if timeout is Ellipsis:
                return super().set_many(data, version=version)
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._down("set_many", error)
            return list(data)

    def add(self, key, value, timeout=Ellipsis, version=None) -> bool:
        try:
            if timeout is Ellipsis:
                return super().add(key, value, version=version)
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._down("add", error)
            return True

    def touch(self, key, timeout=Ellipsis, version=None) -> bool:
        try:
            if timeout is Ellipsis:
                return super().touch(key, version=version)
            return super().touch(key, timeout, version)
        except RedisError as error:
            self._down("touch", error)
            return False

    def delete(self, key: str, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._down("delete", error)
            return False

    def delete_many(self, keys, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as error:
            self._down("delete_many", error)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            self._down("incr", error)
            return delta

    def clear(self) -> None:
        try:
            super().clear()
        except RedisError as error:
            self._down("clear", error)
