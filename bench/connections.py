"""What a request's database connection costs, with and without psycopg's pool.

One "request" is what Django does around one: `request_started`, one query, `request_finished`
(which return a pooled connection to the pool, or keep a persistent one). Three modes, each in
a fresh interpreter, taking turns so that the machine's load falls on all of them alike:

- `persistent`: DATABASE_POOL=0, the connection kept (CONN_MAX_AGE) and health-checked; the
  query is the version read of the hottest paths, which doubles as the check
  (apps.roadmap.versions);
- `pool`: DATABASE_POOL=1 as shipped: the pool checks a connection when it lends it;
- `pool, no check`: the pool with CONN_HEALTH_CHECKS off (not a setting: for comparison).

Prints microseconds per request for each round and the medians.

    DATABASE_URL=postgres://... .venv/bin/python bench/connections.py [--requests 1500]
        [--rounds 4]

Needs a PostgreSQL DATABASE_URL (only `SELECT 1` runs); contacts nothing else.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODES = {
    "persistent": {"DATABASE_POOL": "0"},
    "pool": {"DATABASE_POOL": "1"},
    "pool, no check": {"DATABASE_POOL": "1", "BENCH_POOL_NO_CHECK": "1"},
}


def one_mode(requests: int) -> float:
    """In the child: microseconds per request."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")
    from django.conf import settings

    if os.environ.get("BENCH_POOL_NO_CHECK"):
        settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    import django

    django.setup()
    from django.core.signals import request_finished, request_started

    from roadmap_site.prepared import one_row

    def request() -> None:
        request_started.send(sender=None)
        one_row("SELECT 1", [])
        request_finished.send(sender=None)

    for _ in range(50):  # warm: the connection (or the pool) is open
        request()
    started = time.perf_counter()
    for _ in range(requests):
        request()
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if not 1 <= options.requests <= 100_000 or not 1 <= options.rounds <= 50:
        parser.error("--requests must be 1 to 100000 and --rounds 1 to 50")
    if options.child:
        print(f"{one_mode(options.requests):.1f}")
        return
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must be a postgres:// URL")
    results: dict[str, list[float]] = {mode: [] for mode in MODES}
    for round_number in range(1, options.rounds + 1):
        for mode, env in MODES.items():
            answer = subprocess.run(
                [sys.executable, __file__, "--child", "--requests", str(options.requests)],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
            )
            results[mode].append(float(answer.stdout.split()[-1]))
        print(f"round {round_number}: " + ", ".join(f"{m} {v[-1]:.0f}" for m, v in results.items()))
    print("\nmicroseconds per request (median of rounds):")
    for mode, values in results.items():
        print(f"  {mode:<15} {statistics.median(values):7.0f}")


if __name__ == "__main__":
    main()
