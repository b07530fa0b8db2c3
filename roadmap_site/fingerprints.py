"""A fingerprint of some rows, read as one text column inside another query: it moves whenever
the rows do, so a rendering kept under it (the dashboard's, roadmap_site/dashboard_layer.py) is
never served after they changed.

Aggregates, not a hash of every row: a count and the largest id catch an insert or a delete
(ids only grow), a sum of a version that every write bumps catches an update, and a field
written without bumping anything is aggregated itself."""

from __future__ import annotations

from django.db.models import Aggregate, Expression, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat


def rows_fingerprint(rows: QuerySet, *, group: str, aggregates: list[Aggregate]) -> Subquery:
    """The `aggregates` over `rows` (filtered on `OuterRef`s to one `group` value) as one text,
    NULL when there is no row: a scalar subquery to annotate."""
    parts: list[Expression] = []
    for aggregate in aggregates:
        if parts:
            parts.append(Value(":"))
        parts.append(Cast(aggregate, TextField()))
    joined = (
        rows.order_by()
        .values(group)
        .annotate(fingerprint=Concat(*parts, output_field=TextField()))
        .values("fingerprint")
    )
    return Subquery(joined[:1], output_field=TextField())
