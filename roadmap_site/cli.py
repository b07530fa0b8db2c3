"""What the management commands share: a progress bar, step lines, a dry run and its report.

bar = ProgressBar.on_terminal(total, sys.stderr, verbosity)   # None off a terminal
say = steps(self.stdout, verbosity)                            # "  sections: 7"
report = run_atomic(lambda: service(...), dry_run=dry_run)     # rolled back on a dry run
write_report(self, report, done="imported", dry_run=dry_run, verbosity=verbosity)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TextIO, TypeVar

from django.core.management.base import BaseCommand, OutputWrapper
from django.db import transaction

T = TypeVar("T")


class ProgressBar:
    """A one-line bar on a terminal's stream, counting each finished item under a label."""

    def __init__(self, total: int, stream: TextIO, width: int = 30) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.width = width
        self.labels: Counter[str] = Counter()

    @classmethod
    def on_terminal(cls, total: int, stream: TextIO, verbosity: int = 1) -> ProgressBar | None:
        """A bar when `stream` is a terminal and the command is not quiet; else None."""
        return cls(total, stream) if verbosity > 0 and stream.isatty() else None

    def __call__(self, label: str = "") -> None:
        self.done += 1
        if label:
            self.labels[label] += 1
        filled = self.width * self.done // max(self.total, 1)
        counts = " ".join(f"{name} {count}" for name, count in sorted(self.labels.items()))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}  {counts}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def steps(stdout: OutputWrapper | TextIO, verbosity: int) -> Callable[[str], None]:
    """A service's `progress` callback: each step on its own indented line, unless quiet."""

    def say(message: str) -> None:
        if verbosity >= 1:
            stdout.write(f"  {message}")

    return say


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back; carries the work's result."""

    def __init__(self, result: object) -> None:
        super().__init__("dry run")
        self.result = result


def run_atomic(work: Callable[[], T], *, dry_run: bool) -> T:
    """Run `work` in one transaction and return its result; on a dry run, roll it all back
    (the result still says what would have been written)."""
    try:
        with transaction.atomic():
            result = work()
            if dry_run:
                raise DryRun(result)
    except DryRun as rolled_back:
        return rolled_back.result  # type: ignore[return-value]
    return result


class Count(Protocol):
    created: int
    updated: int
    unchanged: int
    retired: int
    deleted: int


class Report(Protocol):
    """What `write_report` prints: counts by kind, notes, conflicts, and whether it changed."""

    @property
    def counts(self) -> Mapping[str, Count]: ...
    @property
    def notes(self) -> Sequence[str]: ...
    @property
    def conflicts(self) -> Sequence[str]: ...
    @property
    def changed(self) -> bool: ...


def write_report(
    command: BaseCommand,
    report: Report,
    *,
    name: str,
    done: str,
    verbosity: int,
    dry_run: bool = False,
) -> None:
    """Notes, conflicts (as warnings, on standard error), counts by kind, then the verdict:
    "<name>: <done>" or "already up to date"; a dry run says nothing was written."""
    for message in report.notes:
        command.stdout.write(f"note: {message}")
    for message in report.conflicts:
        command.stderr.write(command.style.WARNING(f"conflict: {message}"))
    if verbosity >= 1:
        for kind, count in report.counts.items():
            command.stdout.write(
                f"{kind}: {count.created} new, {count.updated} updated, "
                f"{count.unchanged} unchanged, {count.retired} retired, {count.deleted} deleted"
            )
    verdict = done if report.changed else "already up to date"
    if dry_run:
        would = f"would be {done}" if report.changed else verdict
        command.stdout.write(f"{name}: {would}; dry run: nothing was written")
        return
    command.stdout.write(command.style.SUCCESS(f"{name}: {verdict}"))
