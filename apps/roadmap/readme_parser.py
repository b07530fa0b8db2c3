"""Read a roadmap README into plain data, without touching the database.

The grammar, documented in docs/roadmap-format.md, is the shape of the ML Engineer Roadmap:

- the first heading is the roadmap's title; the paragraphs under it are its summary;
- `N. Title` headings are sections: a summary paragraph, then one bullet per topic that opens
  with a bold title (`- **Title:** text`); the lines under a bullet, nested bullets and
  unindented paragraphs included, are the topic's text, except a `Key things:` line (the key
  points) and a list of links (the topic's resources, with the line that introduces them);
- after a section's topics, a paragraph that opens with "Additional", "Additionally" or
  "An additional" names that section's additional topics;
- `Progression Pathway`, then `Phase N: Title (Weeks A-B)` headings with one bullet per goal;
- `Outcome`, `Projects to Build`, `Resources` with `Books`/`Courses`/`Communities` (and the
  other resource kinds), `Contributions Welcome`, `FAQ` with `Q:` headings and `A:` answers.

Anything else is refused with the line number, so a README that drifted from the grammar is
never half-imported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify

from apps.roadmap.url_normalization import normalize_url
from roadmap_site.limits import TOPIC_SUMMARY


class RoadmapParseError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ParsedSection:
    number: int
    slug: str
    title: str
    summary_md: str
    line: int


@dataclass
class ParsedTopic:
    slug: str
    title: str
    section_number: int
    body_md: str
    key_points: list[str]
    is_additional: bool
    order: int
    line: int

    @property
    def summary(self) -> str:
        return first_sentence(self.body_md)


@dataclass
class ParsedPhase:
    number: int
    slug: str
    title: str
    week_start: int
    week_end: int
    goals: list[str]
    line: int


@dataclass
class ParsedProject:
    slug: str
    title: str
    description_md: str
    order: int
    line: int


@dataclass
class ParsedFAQ:
    order: int
    question: str
    answer_md: str
    line: int


@dataclass
class ParsedResource:
    title: str
    url: str
    kind: str
    description_md: str
    topic_slug: str | None
    line: int

    @property
    def normalized_url(self) -> str:
        return normalize_url(self.url) if self.url else ""

    @property
    def source_key(self) -> str:
        """Stable across imports: the normalised URL, or the kind and title when unlinked."""
        if self.url:
            return f"url:{self.normalized_url}"
        return f"{self.kind}:{slugify(self.title)}"


@dataclass
class ParsedRoadmap:
    title: str
    summary_md: str = ""
    pathway_md: str = ""
    contributing_md: str = ""
    closing_md: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    topics: list[ParsedTopic] = field(default_factory=list)
    phases: list[ParsedPhase] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    projects: list[ParsedProject] = field(default_factory=list)
    faqs: list[ParsedFAQ] = field(default_factory=list)
    resources: list[ParsedResource] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Text checks

# Runs of non-ASCII characters, the places where double-encoded UTF-8 shows.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
# Codecs that UTF-8 bytes are commonly mis-read as: Windows-1252, Mac Roman, Latin-1.
_MISREAD_AS = ("cp1252", "mac_roman", "latin-1")


def decode_readme(data: bytes) -> str:
    """The README's text: valid UTF-8, not double-encoded, with `\\n` line ends."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RoadmapParseError(
            line,
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and import it again",
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, text_line in enumerate(text.split("\n"), start=1):
        for run in _NON_ASCII_RUN.finditer(text_line):
            for codec in _MISREAD_AS:
                try:
                    repaired = run.group().encode(codec).decode("utf-8")
                except UnicodeError:
                    continue
                if repaired != run.group():
                    raise RoadmapParseError(
                        number,
                        f"the text {run.group()!r} looks double-encoded (UTF-8 read as {codec}; "
                        f"it should probably be {repaired!r}); fix the file's encoding and "
                        "import it again",
                    )
    return text


# ---------------------------------------------------------------------------------------------
# Small text functions

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SECTION = re.compile(r"^(\d+)\.\s+(.+?)\s*:?$")
_PHASE = re.compile(
    r"^Phase\s+(\d+)\s*:\s*(.+?)\s*\(\s*Weeks?\s+(\d+)\s*[-\u2013\u2014]\s*(\d+)\s*\)$",
    re.IGNORECASE,
)
_TOPIC_BULLET = re.compile(r"^- \*\*(?P<title>.+?)\*\*\s*(?P<rest>.*)$")
_LINK_BULLET = re.compile(
    r"^\s*[-*] \[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)\s*(?:[-\u2013\u2014:]\s*(?P<desc>.*))?$"
)
_KEY_THINGS = re.compile(r"^Key things:\s*(?P<points>.+)$", re.IGNORECASE)
_ADDITIONAL = re.compile(r"^(?:Additional|Additionally|An additional)\b")
_ADDITIONAL_LEAD = re.compile(r"^.*?\b(?:is on|is|includes|include)\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[*])")
_MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")

RESOURCE_HEADINGS = {
    "books": "book",
    "courses": "course",
    "communities": "community",
    "articles": "article",
    "videos": "video",
    "papers": "paper",
    "tools": "tool",
    "notebooks": "notebook",
    "documentation": "docs",
    "docs": "docs",
}


def heading_key(text: str) -> str:
    """A heading's words without emoji, decoration or trailing punctuation, lower-cased."""
    kept = "".join(
        ch for ch in text if unicodedata.category(ch)[0] in "LNZP" or ch in "-&'’/"
    ).strip()
    return re.sub(r"\s+", " ", kept).strip(" :!.").lower().replace("’", "'")


def plain_text(markdown: str) -> str:
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MARKUP.sub("", text)
    lines = [re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line) for line in text.split("\n")]
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def first_sentence(markdown: str) -> str:
    text = plain_text(markdown)
    if not text:
        return ""
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    return sentence[: TOPIC_SUMMARY.max]


def split_list_phrase(text: str) -> list[str]:
    """'A, B, and C.' -> [A, B, C]; '; ' also separates. Commas inside brackets stay."""
    text = text.strip().rstrip(".").strip()
    parts: list[str] = []
    if ";" in text:
        parts = text.split(";")
    else:
        current: list[str] = []
        depth = 0
        for ch in text:
            depth += ch in "([{"
            depth -= ch in ")]}"
            if ch == "," and depth == 0:
                parts.append("".join(current))
                current = []
            else:
                current.append(ch)
        parts.append("".join(current))
    items = [p.strip() for p in parts]
    if len(items) > 1:
        items[-1] = re.sub(r"^(?:and|or)\s+", "", items[-1])
    return [item for item in items if item]


def join_list_phrase(items: list[str]) -> str:
    if any("," in item or ";" in item for item in items) or len(items) == 2:
        return "; ".join(items) + "."
    if len(items) == 1:
        return items[0] + "."
    return ", ".join(items[:-1]) + ", and " + items[-1] + "."


def _strip_parentheticals(text: str) -> str:
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out))


def additional_topic_titles(paragraph: str) -> list[str]:
    """The topics an 'Additional ...' paragraph names.

    'An additional topic here is Data Lineage, tracking ...' -> [Data Lineage];
    'Additional strategies include Blue-Green Deployments (...) and Canary Releases (...), ...'
    -> [Blue-Green Deployments, Canary Releases].
    """
    text = plain_text(paragraph)
    lead = _ADDITIONAL_LEAD.match(text)
    if not lead:
        return []
    named = _strip_parentheticals(text[lead.end() :]).split(",", 1)[0].rstrip(". ")
    return [name.strip() for name in re.split(r"\s+and\s+", named) if name.strip()]


def _paragraphs(lines: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Blank-line-separated blocks, each with the number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in lines:
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _join_block(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip()


def _text(lines: list[tuple[int, str]]) -> str:
    return "\n\n".join(_join_block(block) for _, block in _paragraphs(lines))


# ---------------------------------------------------------------------------------------------
# The parser


_FAQ_HEADINGS = frozenset({"faq", "frequently asked questions"})
# Headings that take no text of their own: what follows them has its own headings.
_EMPTY_HEADINGS = _FAQ_HEADINGS | {"what you'll learn", "what you will learn", "resources"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.result: ParsedRoadmap | None = None
        self.topic_order = 0

    def parse(self) -> ParsedRoadmap:
        blocks = self._heading_blocks()
        if not blocks:
            raise RoadmapParseError(1, "the file has no heading; the first heading is the title")
        first_line, _, title, body = blocks[0]
        if first_line != self._first_content_line():
            raise RoadmapParseError(
                self._first_content_line(), "text before the title heading; start with the title"
            )
        result = self.result = ParsedRoadmap(title=title, summary_md=_text(body))
        in_faq = False
        seen: set[str] = set()
        for line, _, heading, body in blocks[1:]:
            key = heading_key(heading)
            if in_faq and (heading.strip().startswith("Q:") or key.startswith("q:")):
                self._faq(line, heading, body)
                continue
            if not self._numbered(line, heading, body):
                in_faq = self._named(line, key, heading, body) or in_faq
                if key in seen:
                    raise RoadmapParseError(line, f"the heading {heading!r} appears twice")
            seen.add(key)
        self._check(result)
        return result

    def _numbered(self, line: int, heading: str, body: list[tuple[int, str]]) -> bool:
        """A numbered section or a phase heading: read it and say so."""
        section = _SECTION.match(heading.strip())
        if section:
            self._section(line, int(section.group(1)), section.group(2).strip(), body)
            return True
        phase = _PHASE.match(heading_key_keep_case(heading))
        if phase:
            self._phase(line, phase, body)
            return True
        return False

    def _named(self, line: int, key: str, heading: str, body: list[tuple[int, str]]) -> bool:
        """A heading known by its name; True when it opens the FAQ."""
        result = self._result()
        if key in _EMPTY_HEADINGS:
            self._expect_empty(body, heading)
            return key in _FAQ_HEADINGS
        if key == "progression pathway":
            result.pathway_md = _text(body)
        elif key in {"outcome", "outcomes"}:
            result.outcomes = [text for _, text in self._bullets(body, heading, lead=True)]
        elif key in {"projects to build", "projects"}:
            self._projects(body, heading)
        elif key in RESOURCE_HEADINGS:
            self._resource_list(RESOURCE_HEADINGS[key], body, heading)
        elif key.startswith("contributions welcome") or key == "contributing":
            result.contributing_md = _text(body)
        else:
            raise RoadmapParseError(
                line,
                f"unknown heading {heading!r}: expected a numbered section ('1. Title'), "
                "'Phase N: Title (Weeks A-B)', or one of What You'll Learn, Progression "
                "Pathway, Outcome, Projects to Build, Resources, Books, Courses, "
                "Communities, Contributions Welcome, FAQ",
            )
        return False

    def _result(self) -> ParsedRoadmap:
        assert self.result is not None, "the title is read first"
        return self.result

    # -- structure

    def _first_content_line(self) -> int:
        for number, line in enumerate(self.lines, start=1):
            if line.strip():
                return number
        return 1

    def _heading_blocks(self) -> list[tuple[int, int, str, list[tuple[int, str]]]]:
        blocks: list[tuple[int, int, str, list[tuple[int, str]]]] = []
        for number, line in enumerate(self.lines, start=1):
            match = _HEADING.match(line)
            if match:
                blocks.append((number, len(match.group(1)), match.group(2), []))
            elif blocks:
                blocks[-1][3].append((number, line))
        return blocks

    def _expect_empty(self, body: list[tuple[int, str]], heading: str) -> None:
        for number, line in body:
            if line.strip():
                raise RoadmapParseError(
                    number, f"unexpected text under {heading!r}; it takes no text of its own"
                )

    def _bullets(
        self, body: list[tuple[int, str]], heading: str, *, lead: bool = False
    ) -> list[tuple[int, str]]:
        """One item per top-level `- ` bullet; continuation lines join their bullet."""
        items: list[tuple[int, list[str]]] = []
        for number, line in body:
            if not line.strip():
                continue
            if line.startswith(("- ", "* ")):
                items.append((number, [line[2:].strip()]))
            elif items and line.startswith(" "):
                items[-1][1].append(line.strip())
            elif not items and lead:
                continue  # an introductory sentence, such as "By completing this roadmap ..."
            else:
                raise RoadmapParseError(
                    number, f"expected a '- ' bullet under {heading!r}, found {line.strip()!r}"
                )
        return [(number, " ".join(parts)) for number, parts in items]

    # -- sections and topics

    def _section(self, line: int, number: int, title: str, body: list[tuple[int, str]]) -> None:
        result = self._result()
        if any(s.number == number for s in result.sections):
            raise RoadmapParseError(line, f"section {number} appears twice")
        expected = len(result.sections) + 1
        if number != expected:
            raise RoadmapParseError(line, f"section {number} should be numbered {expected}")
        summary, topics, additional = self._section_body(body)
        if not topics:
            raise RoadmapParseError(line, f"section {number} ({title!r}) has no topic bullets")
        result.sections.append(ParsedSection(number, slugify(title), title, _text(summary), line))
        for topic_line, topic_title, topic_lines in topics:
            self._topic(number, topic_line, topic_title, topic_lines)
        for block_line, block in additional:
            self._additional_topics(number, block_line, block)

    @staticmethod
    def _section_body(
        body: list[tuple[int, str]],
    ) -> tuple[
        list[tuple[int, str]],
        list[tuple[int, str, list[tuple[int, str]]]],
        list[tuple[int, list[str]]],
    ]:
        """A section's lines: its summary, its topic bullets (with their lines), and its
        'Additional ...' paragraphs."""
        summary: list[tuple[int, str]] = []
        topics: list[tuple[int, str, list[tuple[int, str]]]] = []
        additional: list[tuple[int, list[str]]] = []
        index = 0
        while index < len(body):
            number_, text = body[index]
            bullet = _TOPIC_BULLET.match(text)
            if bullet:
                rest = bullet.group("rest").lstrip(":").strip()
                topics.append(
                    (number_, bullet.group("title").rstrip(":").strip(), [(number_, rest)])
                )
            elif text.startswith(("- ", "* ")):
                raise RoadmapParseError(
                    number_,
                    "a topic bullet must open with a bold title, like "
                    "'- **Data Engineering:** ...'",
                )
            elif not topics:
                summary.append((number_, text))
            elif _ADDITIONAL.match(text) and (index == 0 or not body[index - 1][1].strip()):
                block = [text]
                while index + 1 < len(body) and body[index + 1][1].strip():
                    index += 1
                    block.append(body[index][1])
                additional.append((number_, block))
            elif additional and text.strip():
                raise RoadmapParseError(
                    number_,
                    "text after a section's additional topics; it belongs before them or under "
                    "another heading",
                )
            else:
                topics[-1][2].append((number_, text))
            index += 1
        return summary, topics, additional

    def _additional_topics(self, number: int, block_line: int, block: list[str]) -> None:
        paragraph = _join_block(block)
        titles = additional_topic_titles(paragraph)
        if not titles:
            raise RoadmapParseError(
                block_line,
                "an 'Additional ...' paragraph must name its topics, like 'An additional "
                "topic here is Data Lineage, tracking ...'",
            )
        for title_ in titles:
            self._add_topic(
                ParsedTopic(
                    slug=slugify(title_),
                    title=title_,
                    section_number=number,
                    body_md=paragraph,
                    key_points=[],
                    is_additional=True,
                    order=0,
                    line=block_line,
                )
            )

    def _topic(self, section: int, line: int, title: str, lines: list[tuple[int, str]]) -> None:
        result = self._result()
        slug = slugify(title)
        kept: list[tuple[int, str]] = []
        key_points: list[str] = []
        links: list[tuple[int, re.Match[str]]] = []
        for number, raw in lines:
            text = raw[2:] if raw.startswith("  ") else raw
            stripped = text.strip()
            key = _KEY_THINGS.match(stripped)
            link = _LINK_BULLET.match(text)
            if key:
                if key_points:
                    raise RoadmapParseError(number, f"a second 'Key things:' line in {title!r}")
                key_points = split_list_phrase(key.group("points"))
            elif link:
                links.append((number, link))
            else:
                kept.append((number, "" if not stripped else text.rstrip()))
        if links:
            # The sentence that introduces the list of links goes with the links.
            first_link = links[0][0]
            before = [entry for entry in kept if entry[0] < first_link and entry[1].strip()]
            if before and before[-1][1].rstrip().endswith(":"):
                kept.remove(before[-1])
        for number, link in links:
            url = link.group("url")
            self._check_url(number, url)
            result.resources.append(
                ParsedResource(
                    title=plain_text(link.group("title")),
                    url=url,
                    kind="article",
                    description_md=(link.group("desc") or "").strip(),
                    topic_slug=slug,
                    line=number,
                )
            )
        body = _text(kept)
        self._add_topic(ParsedTopic(slug, title, section, body, key_points, False, 0, line))

    def _add_topic(self, topic: ParsedTopic) -> None:
        result = self._result()
        if not topic.slug:
            raise RoadmapParseError(topic.line, f"the topic title {topic.title!r} gives no slug")
        if any(t.slug == topic.slug for t in result.topics):
            raise RoadmapParseError(topic.line, f"a second topic called {topic.title!r}")
        self.topic_order += 1
        topic.order = self.topic_order
        result.topics.append(topic)

    # -- the pathway

    def _phase(self, line: int, match: re.Match[str], body: list[tuple[int, str]]) -> None:
        result = self._result()
        number, title = int(match.group(1)), match.group(2).strip()
        start, end = int(match.group(3)), int(match.group(4))
        if number != len(result.phases) + 1:
            raise RoadmapParseError(
                line, f"phase {number} should be numbered {len(result.phases) + 1}"
            )
        if end < start:
            raise RoadmapParseError(line, f"phase {number} ends (week {end}) before it starts")
        previous_end = result.phases[-1].week_end if result.phases else 0
        if start != previous_end + 1:
            raise RoadmapParseError(
                line, f"phase {number} should start in week {previous_end + 1}, not week {start}"
            )
        goals = [text for _, text in self._bullets(body, f"Phase {number}")]
        if not goals:
            raise RoadmapParseError(line, f"phase {number} has no goals")
        result.phases.append(ParsedPhase(number, slugify(title), title, start, end, goals, line))

    def _projects(self, body: list[tuple[int, str]], heading: str) -> None:
        result = self._result()
        for number, text in self._bullets(body, heading):
            match = _TOPIC_BULLET.match(f"- {text}")
            if not match:
                raise RoadmapParseError(
                    number, "a project bullet opens with a bold title: '- **Title:** description'"
                )
            title = match.group("title").rstrip(":").strip()
            slug = slugify(title)
            if any(p.slug == slug for p in result.projects):
                raise RoadmapParseError(number, f"a second project called {title!r}")
            description = match.group("rest").lstrip(":").strip()
            result.projects.append(
                ParsedProject(slug, title, description, len(result.projects) + 1, number)
            )

    # -- resources and the FAQ

    def _check_url(self, line: int, url: str) -> None:
        try:
            normalize_url(url)
        except ValueError as exc:
            raise RoadmapParseError(line, f"the link {url!r} is not usable: {exc}") from None

    def _resource_list(self, kind: str, body: list[tuple[int, str]], heading: str) -> None:
        result = self._result()
        for number, text in self._bullets(body, heading):
            link = _LINK_BULLET.match(f"- {text}")
            if link:
                url = link.group("url")
                self._check_url(number, url)
                title, description = plain_text(link.group("title")), (link.group("desc") or "")
            else:
                url = ""
                italic = re.match(r"^[*_](?P<title>[^*_]+)[*_]\s*(?P<rest>.*)$", text)
                if italic:
                    title, description = italic.group("title"), italic.group("rest")
                else:
                    title, description = text, ""
            title = title.strip().rstrip(".").strip()
            description = description.strip().rstrip(".").strip()
            result.resources.append(ParsedResource(title, url, kind, description, None, number))

    def _faq(self, line: int, heading: str, body: list[tuple[int, str]]) -> None:
        result = self._result()
        question = re.sub(r"^Q:\s*", "", heading.strip())
        blocks = _paragraphs(body)
        if not blocks or not blocks[0][1][0].startswith("A:"):
            raise RoadmapParseError(
                line, f"the question {question!r} needs an 'A:' answer under it"
            )
        answer = re.sub(r"^A:\s*", "", _join_block(blocks[0][1]))
        result.faqs.append(ParsedFAQ(len(result.faqs) + 1, question, answer, line))
        closing = "\n\n".join(_join_block(block) for _, block in blocks[1:])
        if closing:
            if result.closing_md:
                raise RoadmapParseError(
                    blocks[1][0], "an FAQ answer is one 'A:' paragraph; this text has no question"
                )
            result.closing_md = closing

    # -- whole-document checks

    def _check(self, result: ParsedRoadmap) -> None:
        if not result.sections:
            raise RoadmapParseError(None, "the file has no numbered sections ('1. Title')")
        if not result.phases:
            raise RoadmapParseError(None, "the file has no phases ('Phase 1: Title (Weeks 1-4)')")
        seen: dict[str, int] = {}
        for resource in result.resources:
            key = resource.source_key
            if key in seen:
                raise RoadmapParseError(
                    resource.line,
                    f"{resource.url or resource.title!r} is listed twice "
                    f"(first on line {seen[key]})",
                )
            seen[key] = resource.line


def heading_key_keep_case(heading: str) -> str:
    """A heading without leading emoji or decoration, case kept (for the phase pattern)."""
    return re.sub(r"^[^\w]+", "", heading.strip())


def parse_readme(text: str) -> ParsedRoadmap:
    return _Parser(text).parse()
