"""GET /api/v1/search/: the site search (apps.search.selectors.search) as JSON, for anyone.

The answer is the house pagination's envelope (`count`, `next`, `previous`, `results`) with
`counts` per kind, `suggestions` and `fuzzy` beside it. A blank `q` is an empty answer (200),
not an error, as on the search page. Bad parameters are a 400 with the limit's message; a
page past the last is a 404, as on every list.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from apps.search.selectors import search
from apps.search.serializers import SearchPageSerializer, SearchQuerySerializer
from roadmap_site.api_errors import INVALID, NOT_FOUND


def _page_url(request: Request, page: int, last: int) -> str | None:
    if page < 1 or page > last:
        return None
    url = request.build_absolute_uri()
    return remove_query_param(url, "page") if page == 1 else replace_query_param(url, "page", page)


class SearchView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search topics, resources, projects, solutions, FAQ entries and phases",
        parameters=[SearchQuerySerializer],
        # The house's error answers (roadmap_site/api_errors.py): a 400 names its fields.
        responses={200: SearchPageSerializer, **INVALID, **NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = search(
            query.validated_data["q"],
            kind=query.validated_data.get("kind"),
            page=query.validated_data["page"],
            page_size=query.validated_data["page_size"],
        )
        body = {
            "count": results.total,
            "next": _page_url(request, results.page + 1, results.pages),
            "previous": _page_url(request, results.page - 1, results.pages),
            "results": [asdict(hit) for hit in results.hits],
            "counts": results.counts,
            "suggestions": results.suggestions,
            "fuzzy": results.fuzzy,
        }
        return Response(SearchPageSerializer(body).data)
