"""One row per searchable thing, written only by `services` (never by signals).

The row holds plain text (title, the weighted parts of the body, the phase's title) and where
the thing is shown (`url`), so that one query over one table answers a search with no joins.
On PostgreSQL `vector` holds the weighted tsvector (title A, summary and key points B, body C,
extras such as a resource's host D), kept current by `services`, with a GIN index; `title`
has a trigram index for typo tolerance (both made by the migration, PostgreSQL only). On
SQLite `vector` stays empty and the search matches the plain text.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from apps.search.query import KIND_LABELS, KINDS
from roadmap_site.limits import SEARCH_SNIPPET_SOURCE

URL_LENGTH = 500
TITLE_LENGTH = 300


class SearchDocument(models.Model):
    # Made from query.KINDS, the one list (django-stubs knows only the literal class form).
    Kind = models.TextChoices(  # type: ignore[call-overload]
        "Kind", [(kind.upper(), (kind, KIND_LABELS[kind])) for kind in KINDS]
    )

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    roadmap_id = models.PositiveIntegerField(db_index=True)
    title = models.CharField(max_length=TITLE_LENGTH)
    summary = models.TextField(blank=True, help_text="Weight B: a summary, key points.")
    body = models.TextField(blank=True, help_text=f"Weight C, cut to {SEARCH_SNIPPET_SOURCE:,}.")
    extra = models.TextField(blank=True, help_text="Weight D: a host, a project's title.")
    url = models.CharField(max_length=URL_LENGTH)
    phase_title = models.CharField(max_length=TITLE_LENGTH, blank=True)
    topic_id = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0, help_text="Ties: the roadmap's order.")
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["kind", "order", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
