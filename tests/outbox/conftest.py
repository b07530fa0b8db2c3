"""The outbox's tests point this process's Celery app at a broker: a port where nothing
listens (down), or the real Redis at REDIS_URL (back), whose queue the test reads straight
from Redis (the configured default queue, CELERY_TASK_DEFAULT_QUEUE; emptied before and
after: no worker consumes it during the test)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from kombu import pools

from bench.linkcheck_server import unused_port
from roadmap_site.celery import app
from roadmap_site.circuit import circuits_reset

_KEYS = ("broker_url", "task_always_eager")


def _drop_connections() -> None:
    """Forget every broker connection and producer, kombu's shared pools included (a closed
    pool left there would refuse the next eager task)."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@dataclass
class Broker:
    """Switch the broker between down and back; read what reached the queue."""

    redis_url: str
    queue: str

    def down(self) -> None:
        _drop_connections()
        app.conf.update(broker_url=f"redis://127.0.0.1:{unused_port()}/9")

    def back(self) -> None:
        _drop_connections()
        app.conf.update(broker_url=self.redis_url)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, socket_timeout=2)

    def messages(self) -> list[tuple[str, list]]:
        """(task name, positional arguments) of each message waiting in the queue, oldest first."""
        found = []
        for raw in reversed(self.client().lrange(self.queue, 0, -1)):
            message = json.loads(raw)
            body = json.loads(base64.b64decode(message["body"]))
            found.append((message["headers"]["task"], body[0]))
        return found


@pytest.fixture
def broker(redis_url) -> Iterator[Broker]:
    """The Celery app sends to a broker (not eagerly)."""
    saved = {key: app.conf[key] for key in _KEYS}
    app.conf.update(task_always_eager=False)
    target = Broker(redis_url=redis_url, queue=app.conf.task_default_queue)
    client = target.client()
    client.delete(target.queue)
    before = set(client.scan_iter(count=1000))
    target.back()
    circuits_reset()
    try:
        yield target
    finally:
        # The queue and the bindings kombu made for it: the run leaves no keys in Redis.
        made = set(client.scan_iter(count=1000)) - before
        ours = [key for key in made if key.startswith(b"_kombu.")] + [target.queue]
        client.delete(*ours)
        _drop_connections()
        app.conf.update(saved)
        circuits_reset()
