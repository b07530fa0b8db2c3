"""The search box's text, parsed: words, "quoted phrases" and -exclusions (no database).

The syntax is PostgreSQL's `websearch_to_tsquery`: words are all required, a double-quoted
run of words is a phrase, a word after `-` must not appear, `or` between words makes them
alternatives (on PostgreSQL; SQLite's simpler search then requires each). `parse` never
raises: the text is cut to `limits.SEARCH_QUERY` first (callers that take the text from a
person refuse longer text with the limit's message before parsing), control characters are
dropped, an unclosed quote runs to the end, a lone `-` or quote is ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from roadmap_site.limits import SEARCH_QUERY

KINDS = ("topic", "resource", "project", "solution", "faq", "phase")
KIND_MESSAGE = f"The kind must be one of: {', '.join(KINDS)}."
KIND_LABELS = {
    "topic": "Topics",
    "resource": "Resources",
    "project": "Projects",
    "solution": "Solutions",
    "faq": "Questions",
    "phase": "Phases",
}

# The parts of a word that the engines match: runs of letters and digits ("c++" is "c",
# "scikit-learn" is "scikit" and "learn"); what to_tsquery and LIKE can take literally.
TERM = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Query:
    text: str  # the cleaned text: cut to the limit, control characters gone, spaces single
    words: tuple[str, ...]  # positive words, lower case, in order, each once
    phrases: tuple[str, ...]  # quoted phrases, lower case, spaces single
    excluded: tuple[str, ...]  # words after "-", lower case
    alternatives: bool = False  # the text joins words with OR (websearch_to_tsquery's "or")

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: no word and no phrase (exclusions alone find nothing)."""
        return not self.words and not self.phrases

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        """Every positive word, the phrases' words included, for highlighting."""
        seen: dict[str, None] = {}
        for word in self.words:
            seen.setdefault(word, None)
        for phrase in self.phrases:
            for word in phrase.split():
                seen.setdefault(word, None)
        return tuple(seen)


def terms(text: str) -> list[str]:
    """The letter-and-digit runs of `text`, lower case."""
    return TERM.findall(text.lower())  # lower case first: "İ" lowers to "i" and a mark


def _clean(text: str) -> str:
    text = text[: SEARCH_QUERY.max]
    kept = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char for char in text
    )
    return " ".join(kept.split())


def parse(text: str) -> Query:
    cleaned = _clean(text)
    words: dict[str, None] = {}
    phrases: dict[str, None] = {}
    excluded: dict[str, None] = {}
    alternatives = False
    for match in _TOKEN.finditer(cleaned):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            phrase = " ".join(terms(quoted))
            if " " in phrase:
                phrases.setdefault(phrase, None)
            elif phrase:
                words.setdefault(phrase, None)
            continue
        negative = bare.startswith("-")
        parts = terms(bare[1:] if negative else bare)
        if negative:
            for part in parts:
                excluded.setdefault(part, None)
        elif bare.lower() == "or":
            alternatives = bool(words or phrases)
        else:
            for part in parts:
                words.setdefault(part, None)
    for word in excluded:
        words.pop(word, None)
    return Query(
        text=cleaned,
        words=tuple(words),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        alternatives=alternatives and len(words) + len(phrases) > 1,
    )
