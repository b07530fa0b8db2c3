"""Which topics a phase goal or a project is about, read from the words themselves.

A goal concerns a topic when
- every significant word of the topic's title appears in the goal ("Set up feature stores and
  data validation" -> Feature Stores, Data Validation), or
- the goal names a tool that the topic's text names ("... with Apache Airflow" -> Workflow
  Orchestration, whose text says "Apache Airflow"), or
- the goal contains one of the topic's aliases (TOPIC_ALIASES): a phrase the README uses for a
  topic without its title's words ("Study ML fundamentals (...)" -> Algorithms).

Tool names are runs of capitalised words. A run is matched whole on the topic's side, so
"TensorFlow" in a goal does not match "TensorFlow Data Validation"; on the goal's side its
single words count too, so "Flask API" finds "Flask". Words that every topic uses (ML, AI,
API, AWS, ...) and capitalised words that only open a sentence never count.

Phases: a topic is planned in the first phase whose goals name it, else in its section's
default phase (DEFAULT_PHASE_BY_SECTION); moderators can change either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from apps.roadmap.readme_parser import plain_text

GENERIC_NAMES = frozenset(
    {
        "ml",
        "ai",
        "api",
        "apis",
        "aws",
        "gcp",
        "azure",
        "apache",
        "amazon",
        "google",
        "python",
        "e.g",
        "i.e",
    }
)
TITLE_STOPWORDS = frozenset({"vs", "in", "and", "of", "for", "the", "to", "a", "an", "ml", "&"})
_SUFFIXES = (
    "izations", "ization", "izing", "izes", "ized", "ize", "ations", "ation",
    "ings", "ing", "ers", "er", "es", "ed", "s", "e",
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#.\-]*[A-Za-z0-9+#]|[A-Za-z0-9]")
_BREAK = re.compile(r"[,;:()/\[\]{}\"“”]|(?<=[a-z0-9])\.(?=\s|$)|\s[-\u2013\u2014]\s")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")

# Phrases that name a topic without its title's words, by topic title; a goal or project
# naming one concerns that topic (every word of the phrase must appear, as for titles). Each
# entry is a reading of the seed README, kept here so that the README's text stays its own:
# - "Study ML fundamentals (linear algebra, calculus, probability)", the phase 1 goal, is what
#   the Algorithms topic teaches (regression, classification, clustering, deep learning).
TOPIC_ALIASES: dict[str, tuple[str, ...]] = {
    "Algorithms": ("ML fundamentals",),
}

# The section's phase when no goal names a topic: the seed's order of study, section by section.
DEFAULT_PHASE_BY_SECTION = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3, 6: 4, 7: 4}


def stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def word_stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[A-Za-z0-9]+", plain_text(text))}


def _is_capitalised(word: str) -> bool:
    return any(ch.isupper() for ch in word)


def name_runs(text: str) -> list[str]:
    """Runs of capitalised words, e.g. 'Apache Airflow', 'TensorFlow Data Validation'."""
    runs: list[str] = []
    for chunk in _BREAK.split(plain_text(text)):
        current: list[str] = []
        for match in _WORD.finditer(chunk):
            word = match.group().rstrip(".")
            prefix = chunk[: match.start()]
            # "Use Docker": a plain word that only opens a sentence is not a name.
            opens_sentence = (
                bool(_SENTENCE_START.search(prefix)) and word.isalpha() and word[1:].islower()
            )
            if _is_capitalised(word) and not opens_sentence:
                gap = chunk[match.start() - 1] if match.start() and current else " "
                if current and gap != " ":
                    runs.append(" ".join(current))
                    current = []
                current.append(word)
            elif current:
                runs.append(" ".join(current))
                current = []
        if current:
            runs.append(" ".join(current))
    return [run for run in runs if run.lower() not in GENERIC_NAMES]


def goal_names(text: str) -> set[str]:
    names: set[str] = set()
    for run in name_runs(text):
        names.add(run.lower())
        names.update(w.lower() for w in run.split() if w.lower() not in GENERIC_NAMES)
    return names


def topic_names(title: str, body_md: str, key_points: Iterable[str]) -> set[str]:
    text = "\n".join([body_md, *key_points])
    return {run.lower() for run in name_runs(text)}


def title_stems(title: str) -> set[str]:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return {stem(w) for w in words if w.lower() not in TITLE_STOPWORDS}


def matching_topics(text: str, topics: Iterable[tuple[str, str, str, list[str]]]) -> list[str]:
    """The slugs of the topics `text` concerns, in the order given.

    `topics` holds (slug, title, body_md, key_points) tuples.
    """
    stems = word_stems(text)
    names = goal_names(text)
    found = []
    for slug, title, body_md, key_points in topics:
        wanted = title_stems(title)
        by_title = bool(wanted) and wanted <= stems
        by_name = bool(names & topic_names(title, body_md, key_points))
        by_alias = any(word_stems(alias) <= stems for alias in TOPIC_ALIASES.get(title, ()))
        if by_title or by_name or by_alias:
            found.append(slug)
    return found
