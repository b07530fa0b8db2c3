"""Check a list of URLs, one a line, and print a verdict for each. Touches no database.

    manage.py check_urls urls.txt           a table, with a progress bar on a terminal
    manage.py check_urls urls.txt --json    one JSON object a line, as each verdict is known
    manage.py check_urls - --json < urls.txt

Blank lines and lines starting with `#` are skipped. The SSRF guard follows the settings
LINKCHECK_ALLOW_PRIVATE and LINKCHECK_ALLOW_HOSTS; nothing else lets an address through.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.linkcheck.checker import LinkResult, check_urls
from apps.linkcheck.cli import by_verdict
from apps.linkcheck.config import link_checker_config, link_guard
from roadmap_site.cli import ProgressBar


def read_urls(source: TextIO) -> list[str]:
    lines = (line.strip() for line in source)
    return [line for line in lines if line and not line.startswith("#")]


class Command(BaseCommand):
    help = "Check the URLs listed in FILE (one a line, '-' for standard input)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a file with one URL a line, or - for standard input")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="print one JSON object a line, nothing else",
        )

    def handle(self, *args: Any, file: str, as_json: bool, **options: Any) -> None:
        if file == "-":
            urls = read_urls(sys.stdin)
        else:
            try:
                with Path(file).open(encoding="utf-8") as source:
                    urls = read_urls(source)
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        # httpx logs every request at INFO; here that would bury the verdicts and the bar.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        guard, config = link_guard(), link_checker_config()
        if as_json:
            check_urls(urls, guard=guard, config=config, on_result=self._print_json)
            return
        progress = ProgressBar.on_terminal(len(urls), sys.stderr, options.get("verbosity", 1))
        results = check_urls(urls, guard=guard, config=config, on_result=by_verdict(progress))
        if progress is not None:
            progress.close()
        self._print_table(results)

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
