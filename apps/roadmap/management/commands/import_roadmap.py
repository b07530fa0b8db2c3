"""Import a roadmap README, or re-import it after the file changed.

All or nothing: input that cannot be parsed is refused with the line it fails on, and nothing
is written. Re-importing the same file changes nothing. Fields a moderator changed since the
last import are kept, and each such conflict is reported. `--dry-run` reports, then rolls back.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.roadmap.readme_parser import RoadmapParseError, decode_readme
from apps.roadmap.services import roadmap_import
from roadmap_site.cli import run_atomic, steps, write_report


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
        name = slug or path.name.removesuffix(".md").removesuffix("-roadmap").lower()
        say = steps(self.stdout, verbosity)
        try:
            text = decode_readme(data)
            report = run_atomic(
                lambda: roadmap_import(text=text, slug=name, source_url=source_url, progress=say),
                dry_run=dry_run,
            )
        except RoadmapParseError as exc:
            raise CommandError(f"{path}: {exc}; nothing was imported") from None
        write_report(self, report, name=name, done="imported", verbosity=verbosity, dry_run=dry_run)
