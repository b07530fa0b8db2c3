"""The versions that key the cached pages and trees, pushed to each process by PostgreSQL, so
that a cached answer needs no round trip to the database.

Triggers (migration 0009) send a notification on one channel, at commit, with the new values
whenever a row of `PageVersion` or a roadmap's `content_version` (or slug) changes:
`pages:<id>:<version>:<community_version>`, `roadmap:<slug>:<content_version>`, the same
with empty values when the row is deleted, and `reset` on a TRUNCATE. Each process (a gunicorn
worker, a Celery child: opened again after a fork) keeps one connection of its own, in
autocommit and outside Django and its pool, that LISTENs on the channel and then reads the
current values, so that nothing committed between the two is missed. Each read first takes
whatever notifications have arrived, without waiting (one `recv` when none has), and applies them;
versions only grow, so a value is only ever raised (a deleted row is forgotten).

The feed is not trusted, and the caller reads the database as before, when `VERSIONS_FEED` is
off (PgBouncer in transaction mode cannot LISTEN), on any other database than PostgreSQL, while
the listening connection is broken (it is opened again at most every `RETRY_SECONDS`), inside
an atomic block (the block's own writes have not been notified: they are not committed), and
for a key it does not know (an unknown roadmap).

A process that bumps a version itself (`services.touch`) waits at its commit, briefly, until
its own listener has heard the notification (`written`): every request this process serves
next sees the change. The server signals every listener at the same commit, so the other
processes almost always have it by the time the writer has answered; but a worker whose
database backend has not yet been scheduled to send it can miss it for a millisecond or so
on a loaded machine (measured in docs/performance.md, "Versions pushed to each process").
"""

from __future__ import annotations

import os
import select
import threading
import time
from contextlib import suppress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from apps.roadmap.models import PageVersion, Roadmap

# The channel the migration's triggers notify on.
CHANNEL = "roadmap_versions"
# Seconds between attempts to open the listening connection again after it broke.
RETRY_SECONDS = 5.0
# The longest a writer waits at its commit for its own listener to hear the notification.
SETTLE_SECONDS = 0.25
SETTLE_SLICE = 0.005
# Seconds a connection attempt may take before the process falls back to the database.
CONNECT_TIMEOUT = 3
# TCP keepalives on the listening connection: a silent peer is found dead in about
# 5 + 2 * 3 = 11 seconds.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}

_PAGES = "pages"


class VersionFeed:
    """The versions this process has heard, behind one lock (a worker may run threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listener: Any = None  # a psycopg.Connection while listening
        self._retry_at = 0.0
        self._pages: dict[int, tuple[int, int]] = {}
        self._roadmaps: dict[str, int] = {}
        self._early: list[str] = []
        self._reset = False
        self._dying = False

    # Reads.

    def pages(self, row: int) -> tuple[int, int] | None:
        """The pages' (content, community) versions, or None when the feed cannot say."""
        if not _usable():
            return None
        with self._lock:
            if not self._ready():
                return None
            return self._pages.get(row)

    def roadmap(self, slug: str) -> int | None:
        """A roadmap's content_version, or None when the feed cannot say (or the slug is
        unknown: the caller's query answers whether it exists)."""
        if not _usable():
            return None
        with self._lock:
            if not self._ready():
                return None
            return self._roadmaps.get(slug)

    # Writes by this process.

    def written(self, key: str, values: tuple[int, ...]) -> None:
        """After the current transaction commits, wait (at most `SETTLE_SECONDS`) until the
        listener has heard that `key` reached `values`, then hold them in any case: a version
        this process committed is never read older afterwards. `key` is `pages:<id>` or
        `roadmap:<slug>`. Reading `_listener` without the lock is only a hint."""
        if settings.VERSIONS_FEED and connection.vendor == "postgresql":
            # Robust: the write is committed; a failure here must not turn it into an error.
            transaction.on_commit(lambda: self._settle(key, values), robust=True)

    def _settle(self, key: str, values: tuple[int, ...]) -> None:
        if not _usable() or self._listener is None:
            # Still in a transaction (a test's): nothing was sent. Or this process has not
            # read a version yet (a Celery child that only writes): it opens no connection
            # for this, and its first read will take the values from the database.
            return
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            with self._lock:
                if not self._ready():
                    return
                if self._covers(key, values):
                    return
                socket = self._listener.pgconn.socket
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            # In slices: another thread may take the notification off the socket first.
            try:
                select.select([socket], [], [], min(remaining, SETTLE_SLICE))
            except (OSError, ValueError):  # another thread closed it meanwhile
                return
        with self._lock:
            if self._listener is not None:
                self._apply(f"{key}:{':'.join(map(str, values))}")

    def _covers(self, key: str, values: tuple[int, ...]) -> bool:
        kind, _, name = key.partition(":")
        if kind == _PAGES:
            have = self._pages.get(int(name))
            return have is not None and all(h >= v for h, v in zip(have, values, strict=True))
        version = self._roadmaps.get(name)
        return version is not None and version >= values[0]

    # The listening connection.

    def close(self) -> None:
        """Close the listening connection (the next read opens it again)."""
        with self._lock:
            self._close()
            self._retry_at = 0.0

    def _ready(self) -> bool:
        """Whether the values held are current: opens the connection if needed (and allowed),
        then applies what has arrived. Called with the lock held."""
        if self._listener is None:
            if time.monotonic() < self._retry_at:
                return False
            if not self._open():
                return False
        try:
            self._drain()
        except _psycopg().Error:
            self._broken()
            return False
        while self._reset:  # a table was truncated: every value is read afresh
            self._reset = False
            self._close()
            if not self._open():
                return False
        return True

    def _open(self) -> bool:
        psycopg = _psycopg()

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.setdefault("connect_timeout", CONNECT_TIMEOUT)
        # A connection that dies without a word (a network cut) is noticed by the kernel's
        # keepalives within seconds (KEEPALIVES); until then its values are still read.
        params.update(KEEPALIVES)
        listener = None
        try:
            listener = psycopg.connect(**params, autocommit=True)
            listener.add_notify_handler(lambda notify: self._early.append(notify.payload))
            listener.add_notice_handler(self._notice)
            listener.execute(f"LISTEN {CHANNEL}")
            pages = listener.execute(
                f"SELECT id, version, community_version FROM {PageVersion._meta.db_table}"  # noqa: S608
            ).fetchall()
            roadmaps = listener.execute(
                f"SELECT slug, content_version FROM {Roadmap._meta.db_table}"  # noqa: S608
            ).fetchall()
        except psycopg.Error:
            if listener is not None:
                listener.close()
            self._retry_at = time.monotonic() + RETRY_SECONDS
            self._early.clear()
            return False
        self._pages = {row: (version, community) for row, version, community in pages}
        self._roadmaps = dict(roadmaps)
        self._listener = listener
        # Heard while the values were read: newer than them, or the same.
        for payload in self._early:
            self._apply(payload)
        self._early.clear()
        return True

    def _drain(self) -> None:
        """Apply the notifications that have arrived, without waiting for any: one `recv` when
        none has (the usual case), and as many as it takes to empty the socket when some have
        (libpq may stop short of the end of a backlog, after a worker sat idle)."""
        pgconn = self._listener.pgconn
        heard = True
        while heard:
            pgconn.consume_input()
            heard = False
            while (notify := pgconn.notifies()) is not None:
                self._apply(notify.extra.decode())
                heard = True
        if self._dying or pgconn.status != _psycopg().pq.ConnStatus.OK:
            raise _psycopg().OperationalError("the listening connection is closed")

    def _notice(self, diagnostic: Any) -> None:
        """The server says why it is about to close the connection (pg_terminate_backend, a
        shutdown) as a message libpq hands over as a notice: the connection is then taken for
        broken at once, not one read later when the socket is found closed."""
        if diagnostic.severity_nonlocalized in {"FATAL", "PANIC"}:
            self._dying = True

    def _apply(self, payload: str) -> None:
        kind, _, rest = payload.partition(":")
        if kind == "reset":
            self._reset = True
        elif kind == _PAGES:
            row, version, community = rest.split(":")
            if not version:
                self._pages.pop(int(row), None)
                return
            new = (int(version), int(community))
            old = self._pages.get(int(row), new)
            self._pages[int(row)] = (max(old[0], new[0]), max(old[1], new[1]))
        elif kind == "roadmap":
            slug, _, number = rest.rpartition(":")
            if not number:
                self._roadmaps.pop(slug, None)
                return
            self._roadmaps[slug] = max(self._roadmaps.get(slug, 0), int(number))

    def _broken(self) -> None:
        self._close()
        self._retry_at = time.monotonic() + RETRY_SECONDS

    def _close(self) -> None:
        listener, self._listener = self._listener, None
        self._dying = False
        self._pages, self._roadmaps = {}, {}
        if listener is not None:
            with suppress(_psycopg().Error):  # a broken connection: nothing more to do
                listener.close()

    def _forget_parent(self) -> None:
        """In a forked child (no other thread runs yet): the parent's connection is the
        parent's. Its socket is pointed at /dev/null before the object is dropped, so that
        closing it here (now or at exit) sends nothing on the parent's connection."""
        if self._listener is not None:
            devnull = os.open(os.devnull, os.O_RDWR)
            try:
                with suppress(_psycopg().Error):  # already lost: nothing of the parent's to keep
                    os.dup2(devnull, self._listener.pgconn.socket)
            finally:
                os.close(devnull)
            _inherited.append(self._listener)
        self._listener = None
        self._pages, self._roadmaps, self._early = {}, {}, []
        self._retry_at = 0.0
        self._lock = threading.Lock()  # another thread of the parent may have held it


# Connections inherited from a parent process: kept so that they are never finalized here.
_inherited: list[Any] = []


def _usable() -> bool:
    """The rules under which the feed may be read at all, in one place."""
    if not settings.VERSIONS_FEED:
        return False
    db = connections[DEFAULT_DB_ALIAS]  # the thread's connection, looked up once
    return db.vendor == "postgresql" and not db.in_atomic_block


feed = VersionFeed()
# gunicorn forks its workers and Celery its children: each listens on a connection of its own.
os.register_at_fork(after_in_child=feed._forget_parent)


@lru_cache(maxsize=1)
def _psycopg() -> Any:
    import psycopg  # PostgreSQL's driver: imported only where it is used

    return psycopg
