"""The API's JSON parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Its own module because DRF imports the parser classes while `rest_framework.views` loads, which
`api_errors` itself imports.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers

# No body the API takes nests deeper than a few levels; this bounds what serializers walk.
JSON_MAX_DEPTH = 32
_TOO_DEEP = f"JSON parse error - nested deeper than {JSON_MAX_DEPTH} levels."


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 (`parse_error`) a body nested deeper than any the
    API takes: deep enough, it would exhaust the decoder's recursion (a 500); short of that,
    serializers and the JSON encoder would still walk it."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_TOO_DEEP) from None
        _check_parsed(data)
        return data


def _check_parsed(data: Any) -> None:
    """Measures the parsed body's depth without recursion."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > JSON_MAX_DEPTH:
            raise exceptions.ParseError(_TOO_DEEP)
        pending.extend(
            (item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)
        )
