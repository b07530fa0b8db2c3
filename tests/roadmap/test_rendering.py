"""Markdown is rendered once, by one function, and sanitised with nh3 before it is trusted."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from apps.roadmap.rendering import render_markdown

# Each payload tries to run script, attach a handler, or smuggle a dangerous URL scheme.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.invalid/x.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<img src="x" onerror="alert(1)">',
    "<IMG SRC=x ONERROR=alert(1)>",
    '<svg onload="alert(1)"></svg>',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VbScRiPt:msgbox(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    '<iframe src="https://evil.invalid/"></iframe>',
    '<object data="https://evil.invalid/x.swf"></object>',
    '<embed src="javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="https://ok.example/" onclick="alert(1)">ok</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>",
    "<<script>script>alert(1)<</script>/script>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<details open ontoggle="alert(1)">x</details>',
    "`<script>` in code is text, <script>alert(1)</script> outside is not",
]

DANGEROUS = [
    re.compile(r"<\s*script", re.I),
    re.compile(r"<\s*(iframe|object|embed|style|form|meta|link|base|svg|math)\b", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"(href|src|action|data)\s*=\s*[\"']?\s*(javascript|data|vbscript):", re.I),
    re.compile(r"style\s*=", re.I),
]


def test_at_least_25_payloads_including_encoded_and_mixed_case() -> None:
    assert len(XSS_PAYLOADS) >= 25
    assert any("&#" in payload for payload in XSS_PAYLOADS)
    assert any("ScRiPt" in payload or "JaVaScRiPt" in payload for payload in XSS_PAYLOADS)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_script_handler_or_dangerous_url_survives(payload: str) -> None:
    html = str(render_markdown(payload))
    for pattern in DANGEROUS:
        assert not pattern.search(html), (pattern.pattern, html)
    # Entity-encoded schemes must not survive either, once the browser would decode them.
    assert "javascript" not in html.lower().replace("&lt;", "<") or "href" not in html


def test_markdown_still_renders_with_safe_links() -> None:
    html = str(render_markdown("Some **bold** and a [link](https://docs.example/page)."))
    assert "<strong>bold</strong>" in html
    assert 'href="https://docs.example/page"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_code_keeps_its_text_escaped() -> None:
    html = str(render_markdown("Use `<script>` tags carefully."))
    assert "<code>&lt;script&gt;</code>" in html


def test_the_template_filter_uses_the_same_function() -> None:
    template = Template("{% load roadmap_tags %}{{ text|markdown }}")
    out = template.render(Context({"text": "<img src=x onerror=alert(1)> *hi*"}))
    assert out == str(render_markdown("<img src=x onerror=alert(1)> *hi*"))
    assert "onerror" not in out
    assert "<em>hi</em>" in out


def test_empty_text_renders_empty() -> None:
    assert render_markdown("") == ""
