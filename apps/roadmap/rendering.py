"""Markdown to safe HTML: the one function every page, template and API answer uses.

Text is rendered with `markdown`, then sanitised with nh3 against an allow-list: no script,
no event handler attribute, no URL scheme but http, https and mailto. Only the sanitised
output is ever marked safe. Rendering is a pure function of the text, so results are kept in
a small in-process cache: each text is rendered once per worker.
"""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong",
        "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
EXTENSIONS = ["extra", "sane_lists"]


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; drop scripts whole."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> SafeString:
    """Render Markdown and sanitise the result; the only path from Markdown to markup."""
    if not text:
        return mark_safe("")
    html = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    return mark_safe(sanitize_html(html))  # noqa: S308 - sanitised by nh3 just above
