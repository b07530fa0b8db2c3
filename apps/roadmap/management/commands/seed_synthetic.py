"""Create a synthetic roadmap N times the seed's size, for query-count tests and benchmarks.

Re-running it with the same slug replaces that roadmap; nothing else is touched.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from apps.roadmap.management.synthetic import roadmap_seed_synthetic


class Command(BaseCommand):
    help = "Create a synthetic roadmap --scale times the seed's size (links under .example)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=10, help="how many times the seed")
        parser.add_argument("--slug", default="synthetic", help="the synthetic roadmap's slug")

    def handle(self, *args, scale: int, slug: str, **options) -> None:
        if scale < 1 or scale > 1000:
            raise CommandError("--scale must be a whole number from 1 to 1000")
        if slug == "ml-engineer":
            raise CommandError("refusing to replace the seed roadmap; choose another --slug")
        roadmap = roadmap_seed_synthetic(scale=scale, slug=slug)
        if connection.vendor == "postgresql":
            # The planner's statistics for the rows just written: without them (a server with
            # autovacuum off, or a benchmark started before it came round) a count over the
            # topics ran as a nested loop, 45 ms instead of 1 at --scale 100.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"{roadmap.slug}: {roadmap.topics.count()} topics, "
                f"{roadmap.resources.count()} resources"
            )
        )
