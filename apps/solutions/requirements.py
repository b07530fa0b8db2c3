"""A project's checklist, read from its imported description: the requirements a learner
links evidence to.

The roadmap describes each project in one sentence: what to do, with which tools, then an
example use (", e.g., ..."). The checklist is that sentence before the example, split at its
commas and at "and": "Deploy a model with FastAPI, Docker, and Redis for streaming data" is
"Deploy a model with FastAPI", "Docker" and "Redis for streaming data". Each requirement has
a stable key (a slug of its words), which the learner's links keep. Pure: no Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_REQUIREMENTS = 20
KEY_LENGTH = 120
TEXT_LENGTH = 300
_EXAMPLE = re.compile(r",?\s+(?:e\.g\.|for example|such as)[,:]?\s", re.IGNORECASE)
_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+|;\s*")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`\[\]]")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Requirement:
    key: str
    text: str


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _SLUG_DROP.sub("-", ascii_text).strip("-")[:KEY_LENGTH].strip("-")


def requirements_of(description: str) -> list[Requirement]:
    """The checklist of a project description, in its order; never raises."""
    text = " ".join(_MARKUP.sub("", _LINK.sub(r"\1", description)).split())
    text = _EXAMPLE.split(text, maxsplit=1)[0].strip().rstrip(".")
    found: list[Requirement] = []
    keys: set[str] = set()
    for part in _SPLIT.split(text):
        words = part.strip(" .,:;")
        key = _slug(words)
        if not key or key in keys:
            continue
        keys.add(key)
        found.append(Requirement(key, (words[:1].upper() + words[1:])[:TEXT_LENGTH]))
        if len(found) == MAX_REQUIREMENTS:
            break
    return found
