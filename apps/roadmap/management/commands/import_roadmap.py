"""Import a roadmap README, or re-import it after the file changed.

All or nothing: input that cannot be parsed is refused with the line it fails on, and nothing
is written. Re-importing the same file changes nothing. Fields a moderator changed since the
last import are kept, and each such conflict is reported.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.roadmap.readme_parser import RoadmapParseError, decode_readme
from apps.roadmap.services import roadmap_import


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = "Import a roadmap README (Markdown) into the site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the README to import")
        parser.add_argument(
            "--slug",
            help="the roadmap's slug (default: the file name without '-roadmap' and '.md')",
        )
        parser.add_argument("--source-url", default="", help="where the README is published")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and report, then roll everything back"
        )

    def handle(self, *args, path: Path, slug: str | None, source_url: str, dry_run: bool,
               verbosity: int, **options) -> None:  # fmt: skip
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        slug = slug or path.name.removesuffix(".md").removesuffix("-roadmap").lower()

        def say(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {message}")

        try:
            text = decode_readme(data)
            with transaction.atomic():
                report = roadmap_import(text=text, slug=slug, source_url=source_url, progress=say)
                if dry_run:
                    raise DryRun
        except RoadmapParseError as exc:
            raise CommandError(f"{path}: {exc}; nothing was imported") from None
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
                    f"{count.unchanged} unchanged, {count.retired} retired, "
                    f"{count.deleted} deleted"
                )
        verdict = "imported" if report.changed else "already up to date"
        self.stdout.write(self.style.SUCCESS(f"{report.roadmap.slug}: {verdict}"))
