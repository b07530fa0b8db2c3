"""Links inside Markdown and HTML files, and `check_urls` reading them and writing a report.
Fetching tests use loopback URLs in temporary files; the roadmap's README is only parsed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.linkcheck.documents import document_links, html_links, markdown_links
from bench.linkcheck_server import Reply, Site, redirect

ROADMAP = Path(__file__).resolve().parents[2] / "fixtures" / "ml-engineer-roadmap.md"

MARKDOWN = """\
# Title

An [inline link](https://a.example/one "with a title") and an ![image](<https://a.example/i b.png>)
and a [reference][ref] and an autolink <https://a.example/auto> and a bare
https://a.example/bare, in text. A [parenthesised](https://a.example/wiki/X_(y)) one.
Code: `https://a.example/in-span` and `[not](https://a.example/span-link)`.
Mail <mailto:me@a.example>, a [section](#title), a [relative](docs/guide.md).
<a href="https://a.example/html">inline HTML</a>

```python
fetch("https://a.example/fenced")
```

~~~
[fenced](https://a.example/tilde)
~~~

    https://a.example/indented

[ref]: https://a.example/reference "Title"
"""


def urls(links) -> list[str]:
    return [link.url for link in links if link.skipped is None]


def test_markdown_links_of_every_kind_and_none_in_code() -> None:
    links = markdown_links(MARKDOWN)
    assert urls(links) == [
        "https://a.example/one",
        "https://a.example/i b.png",
        "https://a.example/auto",
        "https://a.example/bare",
        "https://a.example/wiki/X_(y)",
        "https://a.example/html",
        "https://a.example/reference",
    ]
    skipped = {link.url: link.skipped for link in links if link.skipped}
    assert skipped == {
        "mailto:me@a.example": "mailto: link",
        "#title": "link within the page",
        "docs/guide.md": "relative link (give --base to check it)",
    }
    assert [link.line for link in links if link.url == "https://a.example/reference"] == [20]


def test_relative_links_resolve_against_a_base() -> None:
    links = markdown_links("[guide](docs/guide.md) [up](../x)", base="https://r.example/a/b/")
    assert urls(links) == ["https://r.example/a/b/docs/guide.md", "https://r.example/a/x"]


def test_html_links_skip_code_and_honour_base() -> None:
    text = """<html><head><base href="https://h.example/dir/"></head><body>
    <a href="page.html">a</a> <a href='https://o.example/'>b</a>
    <pre><a href="https://h.example/in-pre">c</a></pre><code><a href="/x">d</a></code>
    <script>var a = '<a href="https://h.example/js">';</script>
    <area href="/map"> <a>no href</a> <a href="#top">top</a>
    </body></html>"""
    links = html_links(text)
    assert urls(links) == [
        "https://h.example/dir/page.html",
        "https://o.example/",
        "https://h.example/map",
    ]
    assert [link.skipped for link in links if link.skipped] == ["link within the page"]


def test_the_roadmap_readme_is_parsed() -> None:
    links = document_links(ROADMAP.name, ROADMAP.read_text(encoding="utf-8"))
    assert links is not None
    found = urls(links)
    assert len(found) == 6
    assert (
        found[0] == "https://valohai.com/blog/machine-learning-researcher-vs-engineers-difference/"
    )
    assert "https://mlops.community" in found
    assert document_links("urls.txt", "https://a.example/") is None


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                [
                    "[",
                    "]",
                    "(",
                    ")",
                    "<",
                    ">",
                    "`",
                    "```",
                    "~~~",
                    "\n",
                    "    ",
                    "https://",
                    "http://[",
                    "]:",
                    "<a href=",
                    '"',
                    "'",
                    "#",
                    "\\",
                    "mailto:",
                    "<pre>",
                    "<base href=x>",
                ]
            ),
        ),
        max_size=50,
    ).map("".join),
    base=st.one_of(st.none(), st.just("https://b.example/x/"), st.text(max_size=10)),
)
def test_extraction_never_raises(text: str, base: str | None) -> None:
    for name in ("a.md", "a.html"):
        links = document_links(name, text, base)
        assert links is not None
        assert all(isinstance(link.url, str) and link.line >= 1 for link in links)


# The command ---------------------------------------------------------------------------------


@pytest.fixture
def site(serve) -> Site:
    site = Site(
        "127.0.0.2",
        {
            "/ok": Reply(),
            "/gone": Reply(404),
            "/moved": redirect("/", 302),
            "/": Reply(),
            "/paid": redirect("/pricing", 302),
            "/pricing": Reply(),
        },
    )
    serve(site)
    return site


def call(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("check_urls", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


def test_a_readme_checked_in_ci_with_a_markdown_report(settings, tmp_path, site) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Roadmap\n\n- [ok]({site.url('/ok')})\n- [gone]({site.url('/gone')})\n"
        f"- [moved]({site.url('/moved')}) and [paid]({site.url('/paid')})\n"
        f"- `{site.url('/in-code')}` and [local](docs/a.md)\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.md"
    _, status = call(str(readme), "--format", "md", "--output", str(report))
    assert status == 1
    text = report.read_text(encoding="utf-8")
    assert "4 links checked, 2 failed, 1 skipped" in text
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("| broken"))
    assert lines[first].startswith(f"| broken | 404 | {site.url('/gone')} | {readme}:4 |")
    assert f"| soft_404 | 200 | {site.url('/moved')} | {readme}:5 |" in text
    assert f"| paywalled | 200 | {site.url('/paid')} |" in text
    assert f"| docs/a.md | {readme}:6 | relative link (give --base to check it) |" in text
    assert "/in-code" not in "".join(request.path for request in site.stats.requests)


def test_a_json_report_and_exit_0_when_nothing_fails(settings, tmp_path, site) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = True
    page = tmp_path / "index.html"
    page.write_text(
        f'<p><a href="{site.url("/ok")}">ok</a> <a href="/ok">again</a></p>', encoding="utf-8"
    )
    out, status = call(str(page), "--format", "json", "--base", site.url("/"))
    assert status == 0
    report = json.loads(out)
    assert report["summary"] == {"checked": 1, "failed": 0, "skipped": 0, "verdicts": {"ok": 1}}
    assert report["results"][0]["sources"] == [f"{page}:1", f"{page}:1"]
    assert len(site.stats.requests) == 1  # one URL, checked once


def test_a_bad_base_is_refused(tmp_path) -> None:
    page = tmp_path / "a.md"
    page.write_text("[x](y)", encoding="utf-8")
    with pytest.raises(CommandError, match="--base"):
        call_command("check_urls", str(page), "--base", "ftp://nope")
