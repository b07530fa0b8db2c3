"""The links inside Markdown and HTML files, for `check_urls` (docs/linkcheck.md).

Markdown: inline links and images `[text](url "title")`, reference definitions
`[label]: url`, autolinks `<https://...>`, bare `http(s)://` URLs, and `<a href>` in inline
HTML. Nothing inside fenced code blocks (``` and ~~~), indented code blocks or code spans.
HTML: every `<a href>` and `<area href>`, none inside `<code>`, `<pre>`, `<script>`,
`<style>` or `<template>`; a `<base href>` is honoured.

A link that is not http(s) (`mailto:`, `#section`) or is relative with no base to resolve it
against is returned as skipped with the reason, never fetched. Pure: no I/O, never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class Link:
    url: str  # absolute (resolved against the base) when checkable
    line: int
    skipped: str | None = None  # why it is not checked


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_INLINE = re.compile(
    r"!?\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\(\s*"
    r"(?:<(?P<angled>[^<>\n]*)>|(?P<plain>(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*))"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REFERENCE = re.compile(r"^ {0,3}\[(?:[^\]\\]|\\.)+\]:\s*(?:<([^<>\n]*)>|(\S+))")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]*)>", re.IGNORECASE)
_BARE = re.compile(r"(?<![\w(<\[\"'=/])https?://[^\s<>\"'`]+", re.IGNORECASE)
_HREF = re.compile(r"<a\b[^>]*?\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_TRAILING = ".,;:!?*_~'\""


def _trim_bare(url: str) -> str:
    """A bare URL's end, as GitHub reads it: trailing punctuation and unmatched ) left out."""
    while url and url[-1] in _TRAILING + ")":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _resolved(raw: str, line: int, base: str | None) -> Link:
    raw = raw.strip()
    if not raw:
        return Link(raw, line, "empty link")
    try:
        scheme = urlsplit(raw).scheme.lower()
    except ValueError:
        return Link(raw, line, "not a URL")
    if scheme in ("http", "https"):
        return Link(raw, line)
    if scheme:
        return Link(raw, line, f"{scheme}: link")
    if raw.startswith("#"):
        return Link(raw, line, "link within the page")
    if base is None:
        return Link(raw, line, "relative link (give --base to check it)")
    try:
        return Link(urljoin(base, raw), line)
    except ValueError:
        return Link(raw, line, "not a URL")


def _markdown_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside code blocks, with their numbers."""
    kept: list[tuple[int, str]] = []
    fence: str | None = None
    previous_blank = True
    in_indented = False
    for number, line in enumerate(text.splitlines(), start=1):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        opened = _FENCE.match(line)
        if opened:
            fence = opened.group(1)
            continue
        blank = not line.strip()
        if _INDENTED.match(line) and (previous_blank or in_indented) and not blank:
            # An indented code block starts after a blank line (a list item's continuation
            # is indented too, but follows its item directly).
            in_indented = True
            previous_blank = False
            continue
        if not blank:
            in_indented = False
        previous_blank = blank
        kept.append((number, line))
    return kept


def markdown_links(text: str, base: str | None = None) -> list[Link]:
    lines = _markdown_lines(text)
    found: list[tuple[int, Link]] = []  # (offset, link): the document's order
    # Code spans may cross lines within a paragraph: blank them out over the joined text,
    # keeping every character's line.
    joined = "\n".join(line for _, line in lines)
    numbers = [number for number, line in lines for _ in range(len(line) + 1)]
    blanked = _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), joined)

    def line_of(offset: int) -> int:
        return numbers[offset] if offset < len(numbers) else (numbers[-1] if numbers else 1)

    taken: list[tuple[int, int]] = []
    for match in _INLINE.finditer(blanked):
        raw = match.group("angled") if match.group("angled") is not None else match.group("plain")
        found.append((match.start(), _resolved(raw or "", line_of(match.start()), base)))
        taken.append(match.span())
    for match in _AUTOLINK.finditer(blanked):
        found.append((match.start(), _resolved(match.group(1), line_of(match.start()), base)))
        taken.append(match.span())
    for match in _HREF.finditer(blanked):
        raw = next(group for group in match.groups() if group is not None)
        found.append((match.start(), _resolved(raw, line_of(match.start()), base)))
        taken.append(match.span())
    offset = 0
    for number, line in lines:
        span_line = blanked[offset : offset + len(line)]
        reference = _REFERENCE.match(span_line)
        if reference:
            raw = reference.group(1) or reference.group(2)
            found.append((offset, _resolved(raw, number, base)))
            taken.append((offset, offset + len(line)))
        offset += len(line) + 1
    for match in _BARE.finditer(blanked):
        if any(start <= match.start() < end for start, end in taken):
            continue
        url = _trim_bare(match.group(0))
        if url:
            found.append((match.start(), Link(url, line_of(match.start()))))
    return [link for _, link in sorted(found, key=lambda pair: pair[0])]


class _Anchors(HTMLParser):
    SKIPPED = frozenset({"code", "pre", "script", "style", "template"})

    def __init__(self, base: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[tuple[str, int]] = []
        self.depth = 0  # inside elements whose content is not links

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.SKIPPED:
            self.depth += 1
        elif tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag in ("a", "area") and self.depth == 0 and values.get("href") is not None:
            self.links.append((values["href"] or "", self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.depth:
            self.depth -= 1


def html_links(text: str, base: str | None = None) -> list[Link]:
    parser = _Anchors(base)
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # older parsers refuse some broken markup
        pass
    return [_resolved(href, line, parser.base) for href, line in parser.links]


def document_links(name: str, text: str, base: str | None = None) -> list[Link] | None:
    """The links of a Markdown or HTML file, by its name; None for any other file."""
    lowered = name.lower()
    if lowered.endswith(MARKDOWN_SUFFIXES):
        return markdown_links(text, base)
    if lowered.endswith(HTML_SUFFIXES):
        return html_links(text, base)
    return None
