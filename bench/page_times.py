"""Each page alone at a scale: the median time of 5 first requests and the body's size.

Creates a database of its own next to DATABASE_URL's (`<name>_pagetimes`, migrated, dropped
at the end), writes the synthetic roadmap and its use once (tests/support/query_counts.py
`seed_scale`), then requests each named page 5 times, each with a fresh in-memory cache (a
first request renders), as the person who would open it. Run it from two checkouts to compare
a change (docs/performance.md, issue 18).

    .venv/bin/python bench/page_times.py [--scale 100] [--pages "faq (anonymous),..."]

Needs DATABASE_URL (PostgreSQL or SQLite); contacts nothing else.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")
DEFAULT_PAGES = (
    "dashboard (learner),topic (anonymous),topic (learner),projects (anonymous),faq (anonymous)"
)
REPEATS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--pages", default=DEFAULT_PAGES, help="names, as bench/query_counts.py")
    options = parser.parse_args()
    names = set(options.pages.split(","))

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log, one line per page
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.test.utils import (
        override_settings,
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    from tests.support.query_counts import PAGES, seed_scale

    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_pagetimes"}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    print(f"| page ({options.scale}x) | median ms | bytes |\n|---|---|---|")
    try:
        with transaction.atomic():
            site = seed_scale(options.scale)
            for page in PAGES:
                if page.name not in names:
                    continue
                times, size = [], 0
                for repeat in range(REPEATS):
                    location = f"page-times-{page.name}-{repeat}-{time.monotonic()}"
                    cache = {
                        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": location,
                        "KEY_PREFIX": location,
                    }
                    with override_settings(CACHES={"default": cache}):
                        client = Client()
                        person = {"learner": site.learner, "moderator": site.moderator}.get(
                            page.who
                        )
                        if person is not None:
                            client.force_login(person)
                        started = time.monotonic()
                        response = client.get(page.path.format(**site.__dict__))
                        times.append((time.monotonic() - started) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{page.name}: {response.status_code}")
                    size = len(response.content)
                print(f"| {page.name} | {statistics.median(times):.0f} | {size:,} |", flush=True)
            transaction.set_rollback(True)
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
