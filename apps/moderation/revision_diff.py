"""Word-level differences between two values of a topic's field, for the revisions page.

Text is cut into words and the runs of white space between them, so that a change shows as
the words taken out and the words put in, and the rest of the text reads as it is now (line
breaks kept; a change of white space alone is not marked). Lists (key things) are read one
item a line; numbers and names as text.
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


def _kept(was: str, now: str) -> str:
    """A kept word as it is now, with the space that used to follow it when none does now (a
    paragraph that was deleted after it still starts on its own line)."""
    return now if now != now.rstrip() else now + was[len(was.rstrip()) :]


def word_diff(before: Any, after: Any) -> list[DiffPart]:
    """The parts of `after`, each kept, inserted or (from `before`) deleted, in reading order."""
    old = _TOKENS.findall(as_text(before))
    new = _TOKENS.findall(as_text(after))
    # Words are compared without the space after them, so that a word followed by a new line
    # break (or the text's new end) still reads as kept; kept runs are shown as they are now.
    matcher = difflib.SequenceMatcher(
        a=[token.rstrip() for token in old], b=[token.rstrip() for token in new], autojunk=False
    )
    parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            kept = zip(old[i1:i2], new[j1:j2], strict=True)
            parts.append(DiffPart("same", "".join(_kept(was, now) for was, now in kept)))
            continue
        if i2 > i1:
            parts.append(DiffPart("del", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(DiffPart("ins", "".join(new[j1:j2])))
    return parts
