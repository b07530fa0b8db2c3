"""The search page's GET form: the words, the kind to keep to, and the page."""

from __future__ import annotations

from typing import Any

from django import forms

from roadmap_site import limits

# Each kind's name on the page, in the order the page groups them (apps.search.query.KINDS).
KIND_LABELS: dict[str, tuple[str, str]] = {
    "topic": ("Topic", "Topics"),
    "resource": ("Resource", "Resources"),
    "project": ("Project", "Projects"),
    "solution": ("Solution", "Solutions"),
    "faq": ("FAQ", "FAQ"),
    "phase": ("Phase", "Phases"),
}
KIND_CHOICES = [("", "Everything"), *((kind, plural) for kind, (_, plural) in KIND_LABELS.items())]
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
            + ", ".join(plural.lower() for _, plural in KIND_LABELS.values())
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
