"""The API's one pagination: `{count, next, previous, results}`, `?page=` and `?page_size=`.

Every list endpoint uses it (settings: DEFAULT_PAGINATION_CLASS). The page size defaults to
`limits.PAGE_SIZE` and may be asked for within `limits.API_PAGE_SIZE`; anything else (a size
out of range, a word) is refused with 400 and the limit's message, not silently replaced, and
the schema states the bounds. A page number past the end is DRF's 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from roadmap_site.errors import Invalid
from roadmap_site.limits import API_PAGE_SIZE, PAGE_SIZE

PAGE_SIZE_PARAMETER = "page_size"


class HousePagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAMETER
    max_page_size = API_PAGE_SIZE.max

    def get_page_size(self, request: Request) -> int:
        given = request.query_params.get(PAGE_SIZE_PARAMETER, "")
        if given == "":
            return PAGE_SIZE
        if not (given.isascii() and given.isdigit()) or not API_PAGE_SIZE.contains(int(given)):
            raise Invalid({PAGE_SIZE_PARAMETER: [API_PAGE_SIZE.message()]})
        return int(given)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == PAGE_SIZE_PARAMETER:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": API_PAGE_SIZE.min,
                    "maximum": API_PAGE_SIZE.max,
                    "default": PAGE_SIZE,
                }
                parameter["description"] = (
                    f"Rows per page, {API_PAGE_SIZE.min} to {API_PAGE_SIZE.max} "
                    f"(default {PAGE_SIZE})."
                )
        return parameters
