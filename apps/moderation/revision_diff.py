"""Word-level differences between two values of a topic's field, for the revisions page.

Text is cut into words and the runs of white space between them, so that a change shows as
the words taken out and the words put in, and the rest of the text reads as it was (line
breaks kept). Lists (key things) are read one item a line; numbers and names as text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal

_TOKENS = re.compile(r"\s+|\S+\s*")  # a word with the space after it


@dataclass(frozen=True)
class DiffPart:
    kind: Literal["same", "ins", "del"]
    text: str


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    return str(value)


def word_diff(before: Any, after: Any) -> list[DiffPart]:
    """The parts of `after`, each kept, inserted or (from `before`) deleted, in reading order."""
    old = _TOKENS.findall(as_text(before))
    new = _TOKENS.findall(as_text(after))
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(DiffPart("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(DiffPart("del", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(DiffPart("ins", "".join(new[j1:j2])))
    return parts
