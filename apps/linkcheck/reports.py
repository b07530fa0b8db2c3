"""`check_urls`'s report: which file and line each URL came from, the verdicts, and the links
that were skipped, as Markdown (for a CI job's summary) or JSON. No Django, no I/O."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from apps.linkcheck.checker import LinkResult
from apps.linkcheck.documents import Link
from apps.linkcheck.verdicts import FAILING_VERDICTS


@dataclass(frozen=True)
class Skipped:
    url: str
    source: str
    reason: str


@dataclass
class Report:
    sources: dict[str, list[str]] = field(default_factory=dict)  # URL -> ["file:line", ...]
    skipped: list[Skipped] = field(default_factory=list)

    def add_urls(self, name: str, urls: list[str]) -> None:
        for url in urls:
            self.sources.setdefault(url, []).append(name)

    def add_links(self, name: str, links: list[Link]) -> None:
        for link in links:
            where = f"{name}:{link.line}"
            if link.skipped is not None:
                self.skipped.append(Skipped(link.url, where, link.skipped))
            else:
                self.sources.setdefault(link.url, []).append(where)

    def urls(self) -> list[str]:
        return list(self.sources)

    @staticmethod
    def failed(results: list[LinkResult]) -> int:
        return sum(1 for result in results if result.verdict in FAILING_VERDICTS)

    def render(self, results: list[LinkResult], form: str) -> str:
        return self.json(results) if form == "json" else self.markdown(results)

    def json(self, results: list[LinkResult]) -> str:
        counts = Counter(str(result.verdict) for result in results)
        body = {
            "summary": {
                "checked": len(results),
                "failed": self.failed(results),
                "skipped": len(self.skipped),
                "verdicts": dict(sorted(counts.items())),
            },
            "results": [
                {**result.as_dict(), "sources": self.sources.get(result.url, [])}
                for result in results
            ],
            "skipped": [vars(skip) for skip in self.skipped],
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"

    def markdown(self, results: list[LinkResult]) -> str:
        counts = Counter(str(result.verdict) for result in results)
        failed = self.failed(results)
        lines = [
            "# Link check",
            "",
            f"{len(results)} links checked, {failed} failed, {len(self.skipped)} skipped: "
            + (", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())) or "none")
            + ".",
            "",
        ]
        # Failures first, then what needs a look (walls, paywalls), then the good ones.
        order = sorted(
            results,
            key=lambda r: (r.verdict not in FAILING_VERDICTS, r.verdict in ("ok", "redirected")),
        )
        if order:
            lines += [
                "| verdict | status | URL | where | note |",
                "| --- | --- | --- | --- | --- |",
            ]
            for result in order:
                note = result.error or ""
                if result.final_url and result.final_url != result.url and not note:
                    note = f"now {result.final_url}"
                lines.append(
                    f"| {result.verdict} | {result.status_code or '-'} | {_cell(result.url)} | "
                    f"{_cell(', '.join(self.sources.get(result.url, [])))} | {_cell(note)} |"
                )
            lines.append("")
        if self.skipped:
            lines += ["## Skipped", "", "| link | where | why |", "| --- | --- | --- |"]
            for skip in self.skipped:
                lines.append(f"| {_cell(skip.url)} | {_cell(skip.source)} | {skip.reason} |")
            lines.append("")
        return "\n".join(lines)


def _cell(text: str) -> str:
    """Text that cannot break a Markdown table row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
