"""Which repository a solution's URL names: the one place a repository URL is judged.

Only public repository pages of the two forges are accepted, written the way a browser shows
them: `https://github.com/<owner>/<name>` and `https://gitlab.com/<group>[/<subgroup>...]/<name>`
(an optional trailing `/` or `.git`). Anything else (another host, a file or branch page, a
query, credentials, a port) is refused with a message for the person who typed it. Pure: no
Django, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

GITHUB = "github"
GITLAB = "gitlab"
FORGE_HOSTS = {"github.com": GITHUB, "www.github.com": GITHUB, "gitlab.com": GITLAB}

# GitHub: owners are 1-39 letters, digits and single hyphens; names letters, digits, . _ -.
_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
# GitLab: namespaces and names of letters, digits, _ . - (not starting with - or .), at most
# 20 levels deep.
_GITLAB_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}")
GITLAB_DEPTH = 20
# Pages of a user or organisation on github.com, never a repository's owner.
_GITHUB_RESERVED = frozenset(
    {"orgs", "settings", "marketplace", "topics", "explore", "sponsors", "features", "login"}
)

ALLOWED = (
    "Enter a public GitHub or GitLab repository's address, like https://github.com/you/project."
)


class RepositoryURLProblem(ValueError):
    """What is wrong with a repository URL, in words for the person who typed it."""


@dataclass(frozen=True)
class RepositoryRef:
    forge: str  # GITHUB or GITLAB
    path: str  # "owner/name" or "group/sub/name", as typed (the forges ignore case)

    @property
    def url(self) -> str:
        host = "github.com" if self.forge == GITHUB else "gitlab.com"
        return f"https://{host}/{self.path}"


def read_repository_url(url: str) -> RepositoryRef:
    """The repository a URL names; raises RepositoryURLProblem, and nothing else."""
    text = url.strip()
    if not text:
        raise RepositoryURLProblem("Enter the repository's address.")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise RepositoryURLProblem("The address must not contain spaces or control characters.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise RepositoryURLProblem(ALLOWED) from None
    if parts.scheme.lower() != "https":
        raise RepositoryURLProblem("The repository's address must start with https://.")
    if parts.username is not None or parts.password is not None or port is not None:
        raise RepositoryURLProblem("The address must not contain a user name, password or port.")
    forge = FORGE_HOSTS.get((parts.hostname or "").lower().removesuffix("."))
    if forge is None:
        raise RepositoryURLProblem(ALLOWED)
    if parts.query or parts.fragment:
        raise RepositoryURLProblem("Give the repository's own address, without ? or #.")
    path = parts.path.strip("/").removesuffix(".git")
    segments = path.split("/") if path else []
    if forge == GITHUB:
        return RepositoryRef(GITHUB, _github_path(segments))
    return RepositoryRef(GITLAB, _gitlab_path(segments))


def _github_path(segments: list[str]) -> str:
    if len(segments) != 2:
        raise RepositoryURLProblem(
            "A GitHub repository's address is https://github.com/<owner>/<repository>, "
            "with nothing after the repository's name."
        )
    owner, name = segments
    if owner.lower() in _GITHUB_RESERVED or not _GITHUB_OWNER.fullmatch(owner):
        raise RepositoryURLProblem(f"{owner[:60]!r} is not a GitHub user or organisation name.")
    if not _NAME.fullmatch(name) or name in {".", ".."}:
        raise RepositoryURLProblem(f"{name[:60]!r} is not a GitHub repository name.")
    return f"{owner}/{name}"


def _gitlab_path(segments: list[str]) -> str:
    if "-" in segments:
        raise RepositoryURLProblem(
            "Give the repository's own address, not one of its pages (the part before /-/)."
        )
    if not 2 <= len(segments) <= GITLAB_DEPTH:
        raise RepositoryURLProblem(
            "A GitLab repository's address is https://gitlab.com/<group>/<repository>."
        )
    for part in segments:
        if not _GITLAB_PART.fullmatch(part) or part.endswith((".", ".git", ".atom")):
            raise RepositoryURLProblem(f"{part[:60]!r} is not a GitLab group or project name.")
    return "/".join(segments)
