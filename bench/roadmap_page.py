"""The roadmap page's size and render time at 1x, 10x and 100x synthetic content (issue 18).

Creates a database of its own next to DATABASE_URL's (`<name>_roadmappage`, migrated, dropped
at the end), then per scale writes the synthetic roadmap (`seed_synthetic --scale N`), requests
its roadmap page and its largest section's page as an anonymous visitor with an empty cache (a
key prefix of its own), and rolls the scale back. Prints a Markdown table: bytes, milliseconds
and queries per page.
Every list on the roadmap page is cut at its limit (roadmap_site/limits.py) and only what it
shows is read (`roadmap_page`); above ROADMAP_PAGE_MAP_TOPICS the map is a summary, so the
100x page is smaller than the 1x one.

    .venv/bin/python bench/roadmap_page.py [--scales 1,10,100]

Needs DATABASE_URL; contacts nothing else.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    options = parser.parse_args()
    scales = [int(scale) for scale in options.scales.split(",")]

    import django

    django.setup()
    logging.disable(logging.INFO)  # the request log, one line per page
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        override_settings,
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    from apps.roadmap.management.synthetic import roadmap_seed_synthetic

    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_roadmappage"}
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    rows: list[tuple[str, int, int, int, float, int]] = []
    try:
        for scale in scales:
            try:
                with transaction.atomic():
                    roadmap = roadmap_seed_synthetic(scale=scale, slug="synthetic")
                    topics = roadmap.topics.count()
                    largest = roadmap.sections.annotate(n=Count("topics")).order_by("-n").first()
                    paths = {"roadmap": f"/roadmaps/{roadmap.slug}/"}
                    if largest is not None:
                        paths["largest section"] = (
                            f"/roadmaps/{roadmap.slug}/sections/{largest.number}/"
                        )
                    for name, path in paths.items():
                        # a key prefix of its own: an empty cache, for this request alone
                        caches = {k: dict(v) for k, v in settings.CACHES.items()}
                        caches["default"]["KEY_PREFIX"] = f"bench-{uuid.uuid4().hex}"
                        with (
                            override_settings(CACHES=caches),
                            CaptureQueriesContext(connection) as queries,
                        ):
                            started = time.monotonic()
                            response = Client().get(path)
                            took = (time.monotonic() - started) * 1000
                        assert response.status_code == 200, (path, response.status_code)
                        rows.append(
                            (name, scale, topics, len(response.content), took, len(queries))
                        )
                    raise _Rollback
            except _Rollback:
                pass
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()

    print("| page | scale | topics | bytes | ms | queries |")
    print("|---|---|---|---|---|---|")
    for name, scale, topics, size, took, count in rows:
        print(f"| {name} | {scale}x | {topics:,} | {size:,} | {took:.0f} | {count} |")


if __name__ == "__main__":
    main()
