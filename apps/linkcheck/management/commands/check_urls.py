"""Check the URLs in files and print a verdict for each. Touches no database.

    manage.py check_urls urls.txt           a table, with a progress bar on a terminal
    manage.py check_urls urls.txt --json    one JSON object a line, as each verdict is known
    manage.py check_urls - --json < urls.txt
    manage.py check_urls README.md docs/index.html --format md --output report.md

A `.md`/`.markdown` or `.html`/`.htm` file is read for the links inside it
(apps/linkcheck/documents.py); any other file holds one URL a line (blank lines and lines
starting with `#` skipped). Relative links are resolved against `--base`, or reported as
skipped. The exit status is 1 when a link fails (broken, error, soft_404), so CI can run it.
The SSRF guard follows the settings LINKCHECK_ALLOW_PRIVATE and LINKCHECK_ALLOW_HOSTS;
nothing else lets an address through.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.linkcheck.checker import LinkResult, check_urls
from apps.linkcheck.cli import by_verdict
from apps.linkcheck.config import link_checker_config, link_guard
from apps.linkcheck.documents import Link, document_links
from apps.linkcheck.reports import Report
from apps.roadmap.url_normalization import URLProblem, read_http_url
from roadmap_site.cli import ProgressBar


def read_urls(source: Iterable[str]) -> list[str]:
    lines = (line.strip() for line in source)
    return [line for line in lines if line and not line.startswith("#")]


class Command(BaseCommand):
    help = (
        "Check the URLs listed in FILE (one a line, '-' for standard input), or the links "
        "inside Markdown and HTML files; exit status 1 when a link fails."
    )

    # No system checks: this command touches no database, and in CI every second of start-up
    # is wall time (bench/linkcheck.py measures the whole process).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            metavar="file",
            help="a file with one URL a line, a .md or .html file, or - for standard input",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="print one JSON object a line, nothing else",
        )
        parser.add_argument(
            "--format",
            choices=("md", "json"),
            dest="report_format",
            help="write a report in Markdown or JSON (to --output, or standard output)",
        )
        parser.add_argument("--output", help="the report's file (with --format)")
        parser.add_argument(
            "--base", help="the URL that relative links in Markdown and HTML files resolve to"
        )

    def handle(
        self,
        *args: Any,
        files: list[str],
        as_json: bool,
        report_format: str | None,
        output: str | None,
        base: str | None,
        **options: Any,
    ) -> None:
        if output and not report_format:
            report_format = "json" if output.lower().endswith(".json") else "md"
        if base is not None:
            try:
                read_http_url(base)
            except URLProblem as problem:
                raise CommandError(f"--base: {problem}") from None
        report = Report()
        for name in files:
            self._read(name, base, report)
        urls = report.urls()
        # httpx logs every request at INFO; here that would bury the verdicts and the bar.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        guard, config = link_guard(), link_checker_config()
        if as_json:
            results = check_urls(urls, guard=guard, config=config, on_result=self._print_json)
        else:
            progress = ProgressBar.on_terminal(len(urls), sys.stderr, options.get("verbosity", 1))
            results = check_urls(urls, guard=guard, config=config, on_result=by_verdict(progress))
            if progress is not None:
                progress.close()
            if report_format is None:
                self._print_table(results)
        if report_format is not None:
            text = report.render(results, report_format)
            if output:
                try:
                    Path(output).write_text(text, encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"cannot write {output}: {exc.strerror}") from None
            else:
                self.stdout.write(text, ending="")
        failed = report.failed(results)
        if failed:
            raise CommandError(f"{failed} of {len(results)} links failed", returncode=1)

    def _read(self, name: str, base: str | None, report: Report) -> None:
        if name == "-":
            report.add_urls("-", read_urls(sys.stdin))
            return
        try:
            text = Path(name).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc.strerror}") from None
        links: list[Link] | None = document_links(name, text, base)
        if links is None:
            report.add_urls(name, read_urls(text.splitlines()))
        else:
            report.add_links(name, links)

    def _print_json(self, result: LinkResult) -> None:
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        self.stdout.flush()

    def _print_table(self, results: list[LinkResult]) -> None:
        for result in results:
            status = result.status_code or "-"
            line = f"{result.verdict:<10} {status!s:>3}  {result.url}"
            if result.final_url and result.final_url != result.url:
                line += f"  -> {result.final_url}"
            if result.error:
                line += f"  ({result.error})"
            self.stdout.write(line)
        counts = Counter(str(result.verdict) for result in results)
        summary = ", ".join(f"{count} {verdict}" for verdict, count in sorted(counts.items()))
        self.stdout.write(f"{len(results)} URLs checked: {summary or 'none'}")
