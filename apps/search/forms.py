"""The search page's GET form: the words, the kind to keep to, and the page."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.search.query import KIND_LABELS, KINDS
from roadmap_site import limits

# One hit's kind, on its badge (the groups' names, plural, are apps.search.query.KIND_LABELS).
KIND_BADGES = {
    "topic": "Topic",
    "resource": "Resource",
    "project": "Project",
    "solution": "Solution",
    "faq": "Question",
    "phase": "Phase",
}
KIND_CHOICES = [("", "Everything"), *((kind, KIND_LABELS[kind]) for kind in KINDS)]
PAGE_MESSAGE = limits.SEARCH_PAGE.message()


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        strip=True,
        help_text='Words, a "quoted phrase", or -word to leave a word out.',
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        **limits.SEARCH_QUERY.form_kwargs(),
    )
    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=KIND_CHOICES,
        error_messages={
            "invalid_choice": "Show can only be everything, or one of: "
            + ", ".join(KIND_LABELS[kind].lower() for kind in KINDS)
            + "."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "search-%s")  # the header has a search box of its own
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = self.data.get("page", "")
        if given in ("", None):
            cleaned["page"] = 1
        elif _whole_number(given) and limits.SEARCH_PAGE.contains(int(given)):
            cleaned["page"] = int(given)
        else:
            raise forms.ValidationError(PAGE_MESSAGE, code="page")
        return cleaned


def _whole_number(given: str) -> bool:
    # A short run of ASCII digits: int() of thousands of digits is refused by Python itself.
    return given.isascii() and given.isdigit() and len(given) <= len(str(limits.SEARCH_PAGE.max))
