"""The search API's query and answer (GET /api/v1/search/)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.search.query import KIND_MESSAGE, KINDS
from roadmap_site import limits


def _with_invalid(kwargs: dict[str, Any], message: str) -> dict[str, Any]:
    """The limit's message for a value that is not a number, too (as the house pagination)."""
    return {**kwargs, "error_messages": {**kwargs["error_messages"], "invalid": message}}


class SearchQuerySerializer(serializers.Serializer):
    """?q=&kind=&page=&page_size= (the house's page size bounds and message)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text='words (all must match; a prefix matches as you type), "quoted phrases" and '
        "-exclusions; blank finds nothing",
        error_messages={"max_length": limits.SEARCH_QUERY.message()},
        **limits.SEARCH_QUERY.serializer_kwargs(),
    )
    kind = serializers.ChoiceField(
        choices=KINDS,
        required=False,
        help_text="only this kind (the counts cover every kind)",
        error_messages={"invalid_choice": KIND_MESSAGE},
    )
    page = serializers.IntegerField(
        required=False,
        default=1,
        help_text="the page of results",
        **_with_invalid(limits.SEARCH_PAGE.form_kwargs(), limits.SEARCH_PAGE.message()),
    )

    page_size = serializers.IntegerField(
        required=False,
        default=limits.SEARCH_PAGE_SIZE,
        help_text=f"results per page (default {limits.SEARCH_PAGE_SIZE})",
        **_with_invalid(limits.API_PAGE_SIZE.form_kwargs(), limits.API_PAGE_SIZE.message()),
    )


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    title = serializers.CharField(help_text="plain text")
    url = serializers.CharField(help_text="the site's page for it (a path)")
    snippet = serializers.CharField(
        help_text=f"plain text around the first match, up to {limits.SEARCH_SNIPPET} characters"
    )
    phase_title = serializers.CharField(allow_null=True)
    topic_id = serializers.IntegerField(
        allow_null=True, help_text="the topic (a resource's topic), for the learner's status"
    )
    score = serializers.FloatField(help_text="higher is better; comparable within one answer")


class CountsSerializer(serializers.Serializer):
    topic = serializers.IntegerField()
    resource = serializers.IntegerField()
    project = serializers.IntegerField()
    solution = serializers.IntegerField()
    faq = serializers.IntegerField()
    phase = serializers.IntegerField()


class SearchPageSerializer(serializers.Serializer):
    """The house pagination's envelope, with the counts per kind and the suggestions."""

    count = serializers.IntegerField(help_text="results of `kind` (of every kind without it)")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HitSerializer(many=True)
    counts = CountsSerializer(help_text="results per kind, whatever `kind` is")
    suggestions = serializers.ListField(
        child=serializers.CharField(), help_text="corrected queries (a typo); often empty"
    )
    fuzzy = serializers.BooleanField(
        help_text="true: the words matched nothing and these are the titles most like them"
    )
