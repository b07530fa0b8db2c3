"""The query-count table: every page and API list at 1x, 10x and 100x synthetic content.

Creates a database of its own next to DATABASE_URL's (`<name>_querycounts`, migrated,
dropped at the end), then per scale writes the synthetic roadmap and its use
(tests/support/query_counts.py: `seed_synthetic --scale N`, a learner with progress, ticks,
check-ins and votes, pending submissions, reports, broken links, log rows), requests each page
once as the person who would open it with an empty cache, and rolls the scale back. Prints a
Markdown table (page x scale, and whether the count is flat) for docs/performance.md, and
exits 1 if a count grows. The pins live in tests/performance/test_query_counts.py.

    .venv/bin/python bench/query_counts.py [--scales 1,10,100] [--timings]

Needs DATABASE_URL (PostgreSQL or SQLite); contacts nothing else.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")


class _Rollback(Exception):
    pass


def _show(site, name: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.support.query_counts import PAGES

    page = next(page for page in PAGES if page.name == name)
    client = Client()
    person = {"learner": site.learner, "moderator": site.moderator}.get(page.who)
    if person is not None:
        client.force_login(person)
    with CaptureQueriesContext(connection) as captured:
        client.get(page.path.format(**site.__dict__))
    for number, query in enumerate(captured.captured_queries, 1):
        print(f"{number:3} {query['sql'][:160]}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--timings", action="store_true", help="also each page's time, in ms")
    parser.add_argument("--show", default="", help="print this page's SQL at the first scale")
    options = parser.parse_args()
    scales = [int(scale) for scale in options.scales.split(",")]

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log, one line per page
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    from tests.support.query_counts import PAGES, measure, measured_names, seed_scale

    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_querycounts"}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    counts: dict[str, dict[int, int]] = {name: {} for name in measured_names()}
    timings: dict[str, dict[int, float]] = {name: {} for name in measured_names()}
    try:
        for scale in scales:
            try:
                with transaction.atomic():
                    started = time.monotonic()
                    site = seed_scale(scale)
                    print(f"{scale}x seeded in {time.monotonic() - started:.1f} s", file=sys.stderr)
                    if options.show and scale == scales[0]:
                        _show(site, options.show)
                    for page in PAGES:
                        started = time.monotonic()
                        for name, count in measure(site, (page,)).items():
                            counts[name][scale] = count
                            # a page and its repeat: the time of both
                            timings[name][scale] = (time.monotonic() - started) * 1000
                    raise _Rollback
            except _Rollback:
                pass
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()

    head = ["page", *(f"{scale}x" for scale in scales), "flat"]
    if options.timings:
        head += [f"ms {scale}x" for scale in scales]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    grows = False
    for name, by_scale in counts.items():
        flat = len(set(by_scale.values())) == 1
        grows = grows or not flat
        row = [name, *(str(by_scale[scale]) for scale in scales), "yes" if flat else "**no**"]
        if options.timings:
            row += [f"{timings[name][scale]:.0f}" for scale in scales]
        print("| " + " | ".join(row) + " |")
    sys.exit(1 if grows else 0)


if __name__ == "__main__":
    main()
