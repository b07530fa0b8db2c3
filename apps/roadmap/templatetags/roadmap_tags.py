"""Template helpers for the roadmap pages: Markdown, hosts, theme."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString

from apps.roadmap.rendering import render_markdown

register = template.Library()

THEMES = ("light", "dark")
THEME_COOKIE = "theme"


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text or "")


@register.filter
def host(url: str | None) -> str:
    """The host a link leads to, without `www.`: shown beside every resource."""
    if not url:
        return ""
    name = urlsplit(url).hostname or ""
    return name.removeprefix("www.")


@register.simple_tag(takes_context=True)
def current_theme(context: template.Context) -> str:
    """The theme chosen with the toggle, or "" to follow the system's colour scheme."""
    request = context.get("request")
    value = request.COOKIES.get(THEME_COOKIE, "") if request is not None else ""
    return value if value in THEMES else ""


@register.filter
def subtract(value: int, other: int) -> int:
    return (value or 0) - (other or 0)


@register.filter
def total_hours(topics) -> int:
    """The hours of a sequence of topics; topics without an estimate count nothing."""
    return sum(topic.est_hours or 0 for topic in topics)


@register.simple_tag(takes_context=True)
def layer_mark(context: template.Context, kind: str, arg: str = "") -> str:
    """Where a signed-in page's shared shell leaves a personal piece (the header's links, a
    topic's status, ...) for the learner's layer to fill in per request
    (roadmap_site/page_layer.py); nothing outside the shell. The shell also keeps the page's
    `roadmap`, which the layer reads its content from."""
    layer = getattr(context.get("request"), "page_layer", None)
    if layer is None:
        return ""
    return layer.mark(kind, arg, context)
