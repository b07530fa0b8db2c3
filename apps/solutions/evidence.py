"""What a repository shows, read from its file list and README: one finding per evidence kind.

Pure: the forge adapter fetches, this reads. Nothing of the repository is ever run.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

README_SETUP = "readme_setup"
README_RESULTS = "readme_results"
TESTS = "tests"
CONTAINER = "container"
CI = "ci"
LICENCE = "licence"
KINDS = (README_SETUP, README_RESULTS, TESTS, CONTAINER, CI, LICENCE)

_HEADING = re.compile(
    r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$|^\s{0,3}([^\s].*?)\s*\n\s{0,3}(=+|-+)\s*$", re.MULTILINE
)
_SETUP_WORDS = re.compile(
    r"\b(?:setup|set up|set-up|install|installation|installing|getting started|quick ?start|"
    r"usage|how to run|running|run locally|requirements)\b",
    re.IGNORECASE,
)
_RESULTS_WORDS = re.compile(
    r"\b(?:results?|evaluation|metrics|benchmarks?|performance|accuracy|findings)\b",
    re.IGNORECASE,
)
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "specs", "testing"})
_TEST_FILE = re.compile(
    r"^(?:test_.+\.py|.+_test\.(?:py|go|rs|rb|exs?)|.+\.(?:test|spec)\.(?:[jt]sx?|mjs)|"
    r".+Tests?\.(?:java|kt|cs|swift)|conftest\.py)$"
)
_CONTAINER_FILE = re.compile(
    r"^(?:Dockerfile(?:\..+)?|.+\.Dockerfile|Containerfile(?:\..+)?|"
    r"(?:docker-)?compose(?:\..+)?\.ya?ml)$",
    re.IGNORECASE,
)
_CI_PATH = re.compile(
    r"^(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci/config\.ya?ml|"
    r"Jenkinsfile|azure-pipelines\.ya?ml|\.travis\.ya?ml)$"
)
_LICENCE_FILE = re.compile(r"^(?:LICEN[CS]E|COPYING|UNLICENSE)(?:[.-].*)?$", re.IGNORECASE)
_README_FILE = re.compile(r"^README(?:\.(?:md|markdown|rst|txt))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    kind: str
    present: bool
    path: str = ""  # the file, or the README's heading, that shows it
    detail: str = ""


def readme_path(files: list[str]) -> str | None:
    """The repository's root README, Markdown first."""
    candidates = sorted(
        (f for f in files if "/" not in f and _README_FILE.match(f)),
        key=lambda f: (not f.lower().endswith((".md", ".markdown")), f.lower()),
    )
    return candidates[0] if candidates else None


def headings(readme: str) -> list[str]:
    found = []
    for match in _HEADING.finditer(readme):
        text = match.group(2) or match.group(3)
        if text:
            found.append(text.strip().strip("#").strip())
    return found


def _first(paths: list[str], test: object) -> str | None:
    for path in sorted(paths, key=lambda p: (p.count("/"), p)):
        if test(path):  # type: ignore[operator]
            return path
    return None


def _is_test(path: str) -> bool:
    directories = path.split("/")[:-1]
    return bool(_TEST_DIRS.intersection(d.lower() for d in directories)) or bool(
        _TEST_FILE.match(posixpath.basename(path))
    )


def _heading_finding(kind: str, words: re.Pattern[str], titles: list[str], has_readme: bool):
    for title in titles:
        if words.search(title):
            return Finding(kind, True, title[:200], "a README section")
    detail = "no such section in the README" if has_readme else "no README"
    return Finding(kind, False, "", detail)


def findings(files: list[str], readme: str | None) -> list[Finding]:
    """One finding per kind, in KINDS order."""
    titles = headings(readme or "")
    has_readme = readme is not None
    result = [
        _heading_finding(README_SETUP, _SETUP_WORDS, titles, has_readme),
        _heading_finding(README_RESULTS, _RESULTS_WORDS, titles, has_readme),
    ]
    checks = (
        (TESTS, _is_test, "no test files"),
        (
            CONTAINER,
            lambda p: bool(_CONTAINER_FILE.match(posixpath.basename(p))),
            "no container file",
        ),
        (CI, lambda p: bool(_CI_PATH.match(p)), "no CI workflow"),
        (LICENCE, lambda p: "/" not in p and bool(_LICENCE_FILE.match(p)), "no licence file"),
    )
    for kind, test, missing in checks:
        path = _first(files, test)
        result.append(Finding(kind, path is not None, (path or "")[:500], "" if path else missing))
    return result
