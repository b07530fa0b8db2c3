"""The one comparison of an `If-None-Match` header with an ETag that the cached pages and the
tree both answer 304 by. (The versions' read, `one_row`, is in roadmap_site/prepared.py.)"""

from __future__ import annotations

from django.utils.http import parse_etags


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` header names `etag` (a weak comparison, as RFC 9110 13.1.2
    asks for) or is `*`. The substring test first: most headers name another page's tag or
    none, and then nothing is parsed."""
    if header == etag:  # what a client sends back most often: nothing to parse
        return True
    if not header or (etag not in header and "*" not in header):
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in {tag.removeprefix("W/") for tag in tags}
