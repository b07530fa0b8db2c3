"""Load a roadmap's enrichment file: hours and phases for topics, official links for tools.

Idempotent: loading the same file twice changes nothing. Values changed on the site since the
last load (by a moderator or a user) are kept and reported as conflicts. A file that names a
topic, phase or README resource the roadmap lacks is refused, and nothing is written.
`--dry-run` reports, then rolls back.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.roadmap.enrichment import EnrichmentError, parse_enrichment
from apps.roadmap.services import roadmap_enrich
from roadmap_site.cli import run_atomic, write_report


class Command(BaseCommand):
    help = "Load a roadmap enrichment file (JSON) into an imported roadmap."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the enrichment file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, then roll everything back"
        )

    def handle(self, *args, path: Path, dry_run: bool, verbosity: int, **options) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            enrichment = parse_enrichment(text)
            report = run_atomic(lambda: roadmap_enrich(enrichment=enrichment), dry_run=dry_run)
        except EnrichmentError as exc:
            raise CommandError(f"{path}: {exc}; nothing was loaded") from None
        write_report(
            self,
            report,
            name=enrichment.roadmap,
            done="enriched",
            verbosity=verbosity,
            dry_run=dry_run,
        )
