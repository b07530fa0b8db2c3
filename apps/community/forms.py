from __future__ import annotations

from typing import Any, cast

from django import forms

from apps.community import services
from apps.community.models import Report
from apps.roadmap.models import Resource, Roadmap, Topic
from roadmap_site.limits import (
    REPORT_NOTE,
    RESOURCE_DESCRIPTION,
    RESOURCE_TITLE,
    RESOURCE_URL,
    Length,
)


def _length(limit: Length, **error_messages: str) -> dict[str, Any]:
    """A field's bounds and their message from the limit, beside the field's own messages."""
    kwargs = limit.form_kwargs()
    kwargs["error_messages"] = {**kwargs["error_messages"], **error_messages}
    return kwargs


class SubmissionForm(forms.Form):
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.none(),
        required=False,
        empty_label="The roadmap as a whole",
        help_text="The topic this resource teaches.",
    )
    url = forms.CharField(
        label="Link",
        help_text="The page's full address, starting with https:// or http://.",
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        **_length(RESOURCE_URL, required="Enter the resource's link."),
    )
    title = forms.CharField(
        label="Title",
        help_text=f"{RESOURCE_TITLE.min} to {RESOURCE_TITLE.max} characters.",
        **_length(RESOURCE_TITLE, required="Enter a title."),
    )
    kind = forms.ChoiceField(label="Kind", choices=Resource.Kind.choices)
    description = forms.CharField(
        label="Why it helps (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Markdown works. At most {RESOURCE_DESCRIPTION.max:,} characters.",
        **_length(RESOURCE_DESCRIPTION),
    )

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic = cast(forms.ModelChoiceField, self.fields["topic"])
        topic.queryset = Topic.objects.active().filter(roadmap=roadmap)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if problems := services.url_errors(url):
            raise forms.ValidationError(problems)
        return url


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?", choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Anything a moderator should know? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        **_length(REPORT_NOTE),
    )
