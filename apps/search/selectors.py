"""The site search: one query string over every kind of public content (docs/search.md).

PostgreSQL: the stored, weighted tsvector (title A, summary and key points B, body C, extras D)
matched by `websearch_to_tsquery('english', text)` OR the same words as prefixes (`word:*`,
so "kube" finds Kubernetes as you type), phrases and exclusions kept, ranked by `ts_rank`.
When the words match nothing, the titles' trigram word similarity (pg_trgm) finds what a typo
meant and `suggestions` names the corrected words. SQLite: every positive word and phrase
must appear (as a substring, so prefixes match) in the title or the text, no excluded word may;
title matches first.

Two queries for a page of results (the counts per kind, then the page) at any content size;
one more when nothing matched and the typo search runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from apps.search.models import SearchDocument
from apps.search.query import KIND_MESSAGE, KINDS, Query, parse, terms
from roadmap_site.errors import Invalid, NotFound
from roadmap_site.limits import (
    API_PAGE_SIZE,
    SEARCH_FUZZY_ROWS,
    SEARCH_PAGE,
    SEARCH_PAGE_SIZE,
    SEARCH_QUERY,
    SEARCH_SNIPPET,
)

_FIELDS = (
    *("kind", "object_id", "title", "summary", "body", "extra", "url"),
    *("phase_title", "topic_id"),
)
# What the CTE of `_counts_and_page` keeps of each match (`score` is the annotated rank).
_RANKED: tuple[str, ...] = ("id", "kind", "order", "object_id", "score")
# Words this long or longer match as prefixes ("kube" finds Kubernetes); shorter ones ("ml",
# "ai") only as whole words, which a prefix of one or two letters would drown.
PREFIX_FROM = 3
# ts_rank's weights for D, C, B, A (extras, body, summary, title): a title match well above
# many mentions in a long text.
RANK_WEIGHTS = [0.02, 0.05, 0.2, 1.0]
# How alike a corrected word must be to the typed one (trigram similarity, 0 to 1).
SUGGESTION_SIMILARITY = 0.4


@dataclass(frozen=True)
class Hit:
    kind: str  # one of KINDS
    title: str  # plain text, not HTML
    url: str  # the site's page for it (a resource: its topic's page with #resource-<id>)
    snippet: str  # plain text, up to limits.SEARCH_SNIPPET characters, around the first match
    phase_title: str | None  # the topic's (or the resource's topic's) phase, if any
    topic_id: int | None  # a topic's own id, a resource's topic's: the learner's status
    score: float


@dataclass(frozen=True)
class Results:
    query: Query
    kind: str | None
    hits: list[Hit]  # this page, best first
    counts: dict[str, int]  # matches per kind (every kind, zeros included), whatever `kind`
    total: int  # matches of `kind` (of every kind without one): what the pages count
    page: int
    pages: int
    suggestions: list[str] = field(default_factory=list)  # "did you mean" (PostgreSQL)
    fuzzy: bool = False  # the words matched nothing; these are the titles most like them


def search(
    text: str, *, kind: str | None = None, page: int = 1, page_size: int = SEARCH_PAGE_SIZE
) -> Results:
    """One page of results for `text`. Refuses (Invalid) text over `limits.SEARCH_QUERY`, an
    unknown kind, a page outside `limits.SEARCH_PAGE` or a page size outside
    `limits.API_PAGE_SIZE`; a page past the last is NotFound."""
    if (message := SEARCH_QUERY.check(text)) is not None:
        raise Invalid({"q": [message]})
    if kind is not None and kind not in KINDS:
        raise Invalid({"kind": [KIND_MESSAGE]})
    if not SEARCH_PAGE.contains(page):
        raise Invalid({"page": [SEARCH_PAGE.message()]})
    if not API_PAGE_SIZE.contains(page_size):
        raise Invalid({"page_size": [API_PAGE_SIZE.message()]})
    query = parse(text)
    empty = dict.fromkeys(KINDS, 0)
    if query.is_empty:
        if page != 1:
            raise NotFound("There is no such page of results.")
        return Results(query=query, kind=kind, hits=[], counts=empty, total=0, page=1, pages=1)
    postgres = connection.vendor == "postgresql"
    matches, rank = _postgres_matches(query) if postgres else _sqlite_matches(query)
    counts, rows = _counts_and_page(
        matches.annotate(score=rank), kind=kind, limit=page_size, offset=(page - 1) * page_size
    )
    counts = empty | counts
    if postgres and not any(counts.values()) and query.words:
        return _fuzzy(query, kind=kind, page=page, page_size=page_size)
    total = counts[kind] if kind else sum(counts.values())
    pages = max(1, math.ceil(total / page_size))
    if page > pages:
        raise NotFound("There is no such page of results.")
    return Results(
        query=query,
        kind=kind,
        hits=[_hit(row, query, score) for row, score in rows],
        counts=counts,
        total=total,
        page=page,
        pages=pages,
    )


def _counts_and_page(
    matches: QuerySet[SearchDocument], *, kind: str | None, limit: int, offset: int
) -> tuple[dict[str, int], list[tuple[SearchDocument, float]]]:
    """The matches per kind and one page of them, best first, in one statement: the matches
    (id, kind, order and score, no text) are found and ranked once, in a CTE that both the
    counts and the page read; only the page's rows are read in full."""
    quote = connection.ops.quote_name
    table = quote(SearchDocument._meta.db_table)
    order = quote("order")
    found_sql, found_params = matches.order_by().values(*_RANKED).query.sql_with_params()
    columns = ", ".join(f"d.{quote(name)}" for name in _FIELDS)
    blanks = ", ".join("NULL" for _ in _FIELDS)
    # Counts first (n set, the rest NULL), then the page (n NULL); the page is sorted again
    # below, as a UNION's order is not promised.
    sql = f"""
        WITH found AS ({found_sql})
        SELECT kind AS counted, COUNT(*) AS n, NULL AS score, NULL AS ord, {blanks}
        FROM found GROUP BY kind
        UNION ALL
        SELECT CAST(NULL AS TEXT), CAST(NULL AS BIGINT), m.score, m.{order}, {columns}
        FROM (
            SELECT * FROM found WHERE %s = '' OR kind = %s
            ORDER BY score DESC, {order}, kind, object_id
            LIMIT %s OFFSET %s
        ) m JOIN {table} d ON d.id = m.id
    """  # noqa: S608 (names quoted by the backend; every value is a parameter)
    params = [*found_params, kind or "", kind or "", limit, offset]
    counts: dict[str, int] = {}
    rows: list[tuple[SearchDocument, float]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for counted, n, score, ordinal, *values in cursor.fetchall():
            if n is not None:
                counts[counted] = int(n)
                continue
            row = SearchDocument(**dict(zip(_FIELDS, values, strict=True)), order=ordinal)
            rows.append((row, float(score)))
    rows.sort(key=lambda hit: (-hit[1], hit[0].order, hit[0].kind, hit[0].object_id))
    return counts, rows


def _raw_tsquery(query: Query) -> str:
    """The words (as prefixes from `PREFIX_FROM` letters on), the phrases, the exclusions:
    to_tsquery's syntax, built only from letter-and-digit runs (query.TERM), so nothing in it
    is the user's own syntax."""
    parts = [f"{word}:*" if len(word) >= PREFIX_FROM else word for word in query.words]
    parts += [f"({' <-> '.join(phrase.split())})" for phrase in query.phrases]
    parts += [f"!{word}" for word in query.excluded]
    return " & ".join(parts)


def _postgres_matches(query: Query) -> tuple[QuerySet[SearchDocument], SearchRank]:
    """websearch_to_tsquery's meaning (query.parse reads the same syntax), with prefixes so
    that a word being typed already matches; a text with OR goes to websearch_to_tsquery
    itself (alternatives, no prefixes). Ranked by the wanted words alone: ts_rank scores a
    query with a NOT in it as zero."""
    if query.alternatives:
        tsquery = SearchQuery(query.text, search_type="websearch", config="english")
        ranked = tsquery
    else:
        tsquery = SearchQuery(_raw_tsquery(query), search_type="raw", config="english")
        wanted = Query(text="", words=query.words, phrases=query.phrases, excluded=())
        ranked = SearchQuery(_raw_tsquery(wanted), search_type="raw", config="english")
    rank = SearchRank(F("vector"), ranked, weights=RANK_WEIGHTS)
    return SearchDocument.objects.filter(vector=tsquery), rank


def _contains(text: str) -> Q:
    return (
        Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(body__icontains=text)
        | Q(extra__icontains=text)
    )


def _sqlite_matches(query: Query) -> tuple[QuerySet[SearchDocument], Case]:
    condition = Q()
    for text in (*query.words, *query.phrases):
        condition &= _contains(text)
    for word in query.excluded:
        condition &= ~_contains(word)
    first = (query.words or query.phrases)[0]
    rank = Case(
        When(title__icontains=first, then=Value(2)),
        When(summary__icontains=first, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return SearchDocument.objects.filter(condition), rank


def _fuzzy(query: Query, *, kind: str | None, page: int, page_size: int) -> Results:
    """The titles most like the words (pg_trgm's word similarity, its GIN index), in one
    query of at most `limits.SEARCH_FUZZY_ROWS` rows, counted and paged here."""
    words = " ".join(query.words)
    rows = SearchDocument.objects.filter(title__trigram_word_similar=words)
    if query.excluded:
        excluded = " | ".join(query.excluded)
        rows = rows.exclude(vector=SearchQuery(excluded, search_type="raw", config="english"))
    rows = rows.annotate(score=TrigramWordSimilarity(words, "title"))
    found = list(
        rows.order_by("-score", "order", "kind", "object_id").only(*_FIELDS)[:SEARCH_FUZZY_ROWS]
    )
    counts = dict.fromkeys(KINDS, 0)
    for row in found:
        counts[row.kind] += 1
    chosen = [row for row in found if kind is None or row.kind == kind]
    pages = max(1, math.ceil(len(chosen) / page_size))
    if page > pages:
        raise NotFound("There is no such page of results.")
    start = (page - 1) * page_size
    return Results(
        query=query,
        kind=kind,
        hits=[_hit(r, query, float(r.score)) for r in chosen[start : start + page_size]],
        counts=counts,
        total=len(chosen),
        page=page,
        pages=pages,
        suggestions=_suggestions(query, [row.title for row in found]),
        fuzzy=True,
    )


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two words: shared trigrams over all of them."""
    left, right = _trigrams(a), _trigrams(b)
    return len(left & right) / len(left | right) if left | right else 0.0


def _suggestions(query: Query, titles: list[str]) -> list[str]:
    """The typed text with each word replaced by the most alike word of the found titles."""
    vocabulary = {term for title in titles for term in terms(title) if len(term) > 2}
    corrected = []
    for word in query.words:
        best = max(vocabulary, key=lambda term: (similarity(word, term), term), default=word)
        good = similarity(word, best) >= SUGGESTION_SIMILARITY
        corrected.append(best if good else word)
    if list(query.words) == corrected:
        return []
    return [" ".join(corrected)]


def _hit(row: SearchDocument, query: Query, score: float) -> Hit:
    return Hit(
        kind=row.kind,
        title=row.title,
        url=row.url,
        snippet=snippet(row.body or row.summary or row.extra, query.highlight_terms),
        phase_title=row.phase_title or None,
        topic_id=row.topic_id,
        score=score,
    )


def _first_match(lowered: str, words: tuple[str, ...]) -> int:
    """Where the first of the words (or, for a stemmed match, its first letters) starts."""
    found = [lowered.find(word) for word in words]
    found = [at for at in found if at >= 0]
    if not found:
        stems = [word[: max(4, len(word) - 3)] for word in words]
        found = [at for at in (lowered.find(stem) for stem in stems) if at >= 0]
    return min(found) if found else -1


def snippet(text: str, words: tuple[str, ...], length: int = SEARCH_SNIPPET) -> str:
    """Up to `length` characters of `text` around the first match, cut at spaces, with "…"
    where text was left out."""
    if len(text) <= length:
        return text
    at = _first_match(text.lower(), words)
    start = 0 if at < 0 else max(0, at - length // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = start + length - 2
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    head = "…" if start else ""
    tail = "…" if end < len(text) else ""
    return f"{head}{text[start:end].strip()}{tail}"
