"""What the link-health commands (`check_urls`, `check_links`) share on a terminal: a progress
bar that counts the verdicts as they come."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from apps.linkcheck.checker import LinkResult


class ProgressBar:
    """A one-line bar on a terminal's standard error; silent anywhere else."""

    def __init__(self, total: int, stream: TextIO, width: int = 30) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.width = width
        self.verdicts: Counter[str] = Counter()

    @classmethod
    def on_terminal(cls, total: int, stream: TextIO, verbosity: int = 1) -> ProgressBar | None:
        """A bar when `stream` is a terminal and the command is not quiet; else None."""
        return cls(total, stream) if verbosity > 0 and stream.isatty() else None

    def __call__(self, result: LinkResult) -> None:
        self.done += 1
        self.verdicts[str(result.verdict)] += 1
        filled = self.width * self.done // max(self.total, 1)
        counts = " ".join(f"{name} {count}" for name, count in sorted(self.verdicts.items()))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}  {counts}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
