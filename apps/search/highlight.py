"""Which parts of a hit's plain text match the search, for the results page to mark.

`parts(text, terms)` cuts the text into (piece, matched) pairs: joined, the pieces are the
text again, to the character. A term matches where a word starts (so "train" marks the whole
of "training", and never the "train" inside "restrained"), case-insensitively; a phrase's words
match the same way, with any run of spaces or punctuation between them. The pieces stay plain
text: the template escapes each one and wraps the matched ones in <mark>
(templates/search/_marked.html), so nothing a contributor wrote is ever output as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

Part = tuple[str, bool]
# A letter or digit, as the engine reads words (apps.search.query.TERM: "scikit-learn" is two
# words, and so is "my_training"); between a phrase's words, anything else.
_LETTER = r"[^\W_]"
_GAP = r"[\W_]+"


class Terms(Protocol):
    """What a parsed search offers (apps.search.query.Query): its words and its phrases."""

    @property
    def words(self) -> tuple[str, ...]: ...

    @property
    def phrases(self) -> tuple[str, ...]: ...


def terms_of(query: Terms) -> tuple[str, ...]:
    """The words and phrases to mark (never the excluded ones)."""
    return tuple(query.words) + tuple(query.phrases)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = []
    for term in terms:
        tokens = term.split()
        if tokens:
            alternatives.append((_LETTER + "*" + _GAP).join(map(re.escape, tokens)))
    if not alternatives:
        return None
    # The longest first, so that a phrase wins over one of its own words.
    alternatives.sort(key=len, reverse=True)
    return re.compile(
        rf"(?<!{_LETTER})(?:" + "|".join(alternatives) + rf"){_LETTER}*", re.IGNORECASE
    )


def parts(text: str, terms: Iterable[str]) -> list[Part]:
    pattern = _pattern(tuple(sorted({term for term in terms if term.strip()})))
    if pattern is None or not text:
        return [(text, False)] if text else []
    found: list[Part] = []
    start = 0
    for match in pattern.finditer(text):
        if match.start() > start:
            found.append((text[start : match.start()], False))
        elif found and found[-1][1]:  # right after another match ("a+a+"): one mark
            found[-1] = (found[-1][0] + match.group(), True)
            start = match.end()
            continue
        found.append((match.group(), True))
        start = match.end()
    if start < len(text):
        found.append((text[start:], False))
    return found
