"""Showcase forms: one question per field with a visible label; the services validate too."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.showcase.models import Flag
from apps.showcase.selectors import FILTERS
from roadmap_site import limits


def _length(length: limits.Length) -> dict[str, Any]:
    return length.form_kwargs()


class FilterForm(forms.Form):
    """The showcase's filters as GET checkboxes: they work without JavaScript."""

    only = forms.MultipleChoiceField(
        label="Show only solutions that",
        required=False,
        choices=[(name, label) for name, (label, _) in FILTERS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    def chosen(self) -> list[str]:
        return list(self.cleaned_data.get("only") or []) if self.is_valid() else []


class ReviewForm(forms.Form):
    body = forms.CharField(
        label="Your review",
        help_text=(
            "Markdown works. Your name is shown with it. "
            f"At most {limits.REVIEW_BODY.max:,} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        **_length(limits.REVIEW_BODY),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        help_text="Markdown works.",
        widget=forms.Textarea(attrs={"rows": 3}),
        **_length(limits.REVIEW_REPLY),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?", choices=Flag.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Anything a moderator should know? (needed for “something else”)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        **_length(limits.FLAG_NOTE),
    )
