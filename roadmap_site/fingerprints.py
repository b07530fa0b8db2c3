"""A fingerprint of some rows, read as one text column inside another query: it moves whenever
the rows do, so a rendering kept under it (the dashboard's, roadmap_site/dashboard_layer.py) is
never served after they changed.

Aggregates, not a hash of every row: a count and the largest id catch an insert or a delete
(ids only grow), a sum of a version that every write bumps catches an update, and a field
written without bumping anything is aggregated itself."""

from __future__ import annotations

from django.db.models import Aggregate, Func, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce


class _Joined(Func):
    """Its expressions joined by ":" in one flat `||` chain (`Concat` nests a pair per part,
    deeper than SQLite's parser takes for nine)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ':' || "
    output_field = TextField()


def rows_fingerprint(rows: QuerySet, *, group: str, aggregates: list[Aggregate]) -> Subquery:
    """The `aggregates` over `rows` (filtered on `OuterRef`s to one `group` value) as one text,
    NULL when there is no row: a scalar subquery to annotate."""
    parts = [Coalesce(Cast(aggregate, TextField()), Value("")) for aggregate in aggregates]
    joined = (
        rows.order_by().values(group).annotate(fingerprint=_Joined(*parts)).values("fingerprint")
    )
    return Subquery(joined[:1], output_field=TextField())
