"""Benchmark: how soon a version committed in one process is in another's feed
(apps.roadmap.version_feed, issue 18's "shows on the very next request").

Two processes on DATABASE_URL's database (PostgreSQL; this script bumps its pages' versions,
nothing else), a writer and a reader, each with its own feed:

1. Propagation: the writer commits a bump (plain SQL, autocommit) and notes the time; the
   reader waits on its listening socket and notes when the notification is in its feed. Prints
   the lag's median, p99 and maximum (CLOCK_MONOTONIC, which both processes share).
2. The very next read: the writer bumps through `pages_touch` in a transaction (so it waits at
   commit until its own listener has heard it, as a request does) and then tells the reader,
   which reads the versions once, after `--gap-ms` (0: at once; a client's next request comes
   later than that), without waiting (as its next request would). Prints how many of those
   reads missed the bump, and the writer's bump, commit and wait.

    .venv/bin/python bench/version_feed.py [--rounds 1000] [--gap-ms 0]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import select
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")


def _feed():
    from apps.roadmap.services.touch import PAGE_VERSION_ROW
    from apps.roadmap.version_feed import feed

    assert feed.pages(PAGE_VERSION_ROW) is not None, "the feed is off or has no pages row"
    return feed, PAGE_VERSION_ROW


def _reader(pipe: Connection, rounds: int, gap: float) -> None:
    import django

    django.setup()
    feed, row = _feed()
    pipe.send("ready")
    lags = []
    for _ in range(rounds):  # 1. wait for each bump on the socket
        expected, _ = pipe.recv()
        while (feed.pages(row) or (0, 0))[0] < expected:
            select.select([feed._listener.pgconn.socket], [], [], 1.0)
        lags.append(time.monotonic())
    pipe.send(lags)
    misses = 0
    for _ in range(rounds):  # 2. one read, at once, after the writer's commit
        expected = pipe.recv()
        if gap:
            time.sleep(gap)
        if (feed.pages(row) or (0, 0))[0] < expected:
            misses += 1
        pipe.send("read")
    pipe.send(misses)


def _writer(pipe: Connection, rounds: int, gap_ms: float) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from apps.roadmap.services import pages_touch, pages_versions

    _feed()
    pipe.recv()
    committed = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM roadmap_pageversion WHERE id = 1")
        content = cursor.fetchone()[0]
        for _ in range(rounds):
            content += 1
            pipe.send((content, None))  # the reader waits for it before the commit
            cursor.execute("UPDATE roadmap_pageversion SET version = version + 1 WHERE id = 1")
            committed.append(time.monotonic())
            time.sleep(0.002)
    arrived = pipe.recv()
    lags = sorted((a - c) * 1000 for a, c in zip(arrived, committed, strict=True))
    print(
        f"propagation, {rounds} commits (ms): median {statistics.median(lags):.3f}, "
        f"p99 {lags[int(len(lags) * 0.99) - 1]:.3f}, max {lags[-1]:.3f}"
    )
    waits = []
    for _ in range(rounds):
        started = time.monotonic()
        with transaction.atomic():
            pages_touch()
        waits.append((time.monotonic() - started) * 1000)
        pipe.send(pages_versions()[0])
        pipe.recv()
    misses = pipe.recv()
    waits.sort()
    print(
        f"the other process's read, {gap_ms} ms after the writer's commit returned, missed "
        f"the bump {misses} times in {rounds}"
    )
    print(
        f"the writer's bump and commit, with its wait for its own listener (ms): median "
        f"{statistics.median(waits):.3f}, p99 {waits[int(len(waits) * 0.99) - 1]:.3f}, "
        f"max {waits[-1]:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--gap-ms", type=float, default=0.0)
    args = parser.parse_args()
    ours, theirs = multiprocessing.Pipe()
    context = multiprocessing.get_context("spawn")
    reader = context.Process(target=_reader, args=(theirs, args.rounds, args.gap_ms / 1000))
    reader.start()
    _writer(ours, args.rounds, args.gap_ms)
    reader.join()


if __name__ == "__main__":
    main()
