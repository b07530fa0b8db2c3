"""Load a roadmap's enrichment file: hours and phases for topics, official links for tools.

Idempotent: loading the same file twice changes nothing. Values changed on the site since the
last load (by a moderator or a user) are kept and reported as conflicts. A file that names a
topic, phase or README resource the roadmap lacks is refused, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.roadmap.enrichment import EnrichmentError, parse_enrichment
from apps.roadmap.services import roadmap_enrich


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


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
            with transaction.atomic():
                report = roadmap_enrich(enrichment=enrichment)
                if dry_run:
                    raise DryRun
        except EnrichmentError as exc:
            raise CommandError(f"{path}: {exc}; nothing was loaded") from None
        except DryRun:
            self.stdout.write("dry run: nothing was written")
            return

        for message in report.notes:
            self.stdout.write(f"note: {message}")
        for message in report.conflicts:
            self.stderr.write(self.style.WARNING(f"conflict: {message}"))
        if verbosity >= 1:
            for kind, count in report.counts.items():
                self.stdout.write(
                    f"{kind}: {count.created} new, {count.updated} updated, "
                    f"{count.unchanged} unchanged, {count.retired} retired"
                )
        verdict = "enriched" if report.changed else "already up to date"
        self.stdout.write(self.style.SUCCESS(f"{report.roadmap.slug}: {verdict}"))
