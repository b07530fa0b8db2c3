"""Write a roadmap as Markdown that `import_roadmap` reads back to the same content."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.roadmap.models import Roadmap
from apps.roadmap.readme_export import roadmap_to_markdown


class Command(BaseCommand):
    help = "Export a roadmap as README Markdown (to standard output, or to --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--output", "-o", type=Path, help="write to this file")

    def handle(self, *args, slug: str, output: Path | None, **options) -> None:
        roadmap = Roadmap.objects.filter(slug=slug).first()
        if roadmap is None:
            raise CommandError(f"no roadmap with the slug {slug!r}")
        markdown = roadmap_to_markdown(roadmap)
        if output is None:
            self.stdout.write(markdown, ending="")
        else:
            output.write_text(markdown, encoding="utf-8")
            self.stderr.write(f"wrote {output}")
